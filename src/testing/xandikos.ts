// Test harness: Debian's Xandikos as a throwaway server (git-backed, one user, no authentication of
// its own: it is meant to sit behind a proxy) on a free loopback port.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort, launchDavProcess } from './dav-process.js';

/** A running test Xandikos. */
export interface XandikosServer {
  port: number;
  pid: number | undefined;
  /** `http://127.0.0.1:${port}` */
  url: string;
  /** The one user's principal path, e.g. '/alice/'. */
  principal: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts Xandikos for one user, with its default calendar and address book created. */
export async function startXandikos(user = 'user'): Promise<XandikosServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tranche-xandikos-'));
  const port = await freeLoopbackPort();
  const principal = `/${user}/`;
  const proc = await launchDavProcess(
    'xandikos',
    '/usr/bin/xandikos',
    [
      '-d',
      path.join(dir, 'data'),
      '-l',
      '127.0.0.1',
      '-p',
      String(port),
      '--defaults',
      '--current-user-principal',
      principal,
    ],
    dir,
    port,
  );
  return { port, pid: proc.pid, url: proc.origin, principal, dir, stop: () => proc.stop() };
}
