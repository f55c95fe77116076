// Test harness: what Radicale and Xandikos share: a free loopback port, a detached child with its
// output in a file, waiting for HTTP to answer, and a stop that never leaves a process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { httpRequest } from './http-request.js';
import { setTimeout as sleep } from 'node:timers/promises';

const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

// Servers still running, killed synchronously if the test process exits without stopping them.
const running = new Map<number, string>();
let exitHookInstalled = false;

/** A DAV server process started by the harness. */
export interface DavProcess {
  port: number;
  /** The server's process id (its CPU time is read from /proc by the benchmark). */
  pid: number | undefined;
  /** `http://127.0.0.1:${port}` */
  origin: string;
  dir: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone
  }
}

/** Starts `command args` detached in `dir`, waits until http://127.0.0.1:port/ answers at all. */
export async function launchDavProcess(
  name: string,
  command: string,
  args: string[],
  dir: string,
  port: number,
): Promise<DavProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [pid, d] of running) {
        killGroup(pid, 'SIGKILL');
        rmSync(d, { recursive: true, force: true });
      }
    });
  }
  const logFile = path.join(dir, `${name}.log`);
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], cwd: dir });
  } finally {
    closeSync(out);
  }
  child.unref();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const pid = child.pid;
  if (pid !== undefined) running.set(pid, dir);
  const origin = `http://${HOST}:${port}`;
  const stop = async (): Promise<void> => {
    if (pid !== undefined) {
      killGroup(pid, 'SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
      if (timedOut) killGroup(pid, 'SIGKILL');
      running.delete(pid);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      await httpRequest('OPTIONS', `${origin}/`);
      return { port, pid, origin, dir, stop };
    } catch {
      await sleep(100);
    }
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  await stop();
  throw new Error(`${name} did not come up on port ${port}\n${log.slice(-4000)}`);
}
