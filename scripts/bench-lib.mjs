// Shared by the benchmarks: timing a command with its peak RSS, and writing one section of
// docs/benchmarks.md without touching the others.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes out the disk's dirty pages before a timed run: the servers' mail is on disk, and a run that
 * starts while the kernel writes back what the run before (or a corpus load) wrote is slowed by
 * it. Measured with the 60,000-message folder: right after loading it, copies took 8–12 s for a
 * minute, and 5.1–5.6 s from the first when `sync` ran after the load (3 copies each).
 */
export function settle() {
  execFileSync('sync');
}

/**
 * Runs a command, sampling its peak RSS (VmHWM) until it exits; CPU seconds (user + sys) from GNU
 * time, and each part on its own (userSeconds, systemSeconds).
 */
export function timed(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '@@cpu %U %S %M', command, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peakKb = 0;
    let output = '';
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 20);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpu = /@@cpu ([\d.]+) ([\d.]+) (\d+)/.exec(output);
      output = output.replace(/^@@cpu .*$/m, '');
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${output.slice(-2000)}`));
      else
        resolve({
          seconds,
          cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN,
          userSeconds: cpu ? Number(cpu[1]) : NaN,
          systemSeconds: cpu ? Number(cpu[2]) : NaN,
          peakMb: Math.max(peakKb, cpu ? Number(cpu[3]) : 0) / 1024,
          output,
        });
    });
    sample();
  });
}

/** Replaces (or adds) the section NAME of docs/benchmarks.md. */
export function writeSection(name, text) {
  const file = 'docs/benchmarks.md';
  const head =
    '# Benchmarks\n\nWritten by `npm run bench` (scripts/bench.mjs, scripts/bench-import.mjs). Ratios matter more than seconds: the machine is shared.\n';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : head;
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- end:${name} -->`;
  const block = `${begin}\n${text.trim()}\n${end}`;
  const at = current.indexOf(begin);
  const next =
    at >= 0
      ? current.slice(0, at) + block + current.slice(current.indexOf(end) + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** Copies one mailbox with mbsync (Debian's isync), the baseline, with its own state in WORK (kept under `stateName` for delta passes). */
export function mbsync(work, src, srcUser, tgt, tgtUser, stateName) {
  const dir = stateName ? join(work, stateName) : mkdtempSync(join(work, 'mbsync-'));
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'mbsyncrc');
  const account = (name, server, user) => [
    `IMAPAccount ${name}`,
    'Host 127.0.0.1',
    `Port ${server.port}`,
    `User ${user.user}`,
    `Pass ${user.password}`,
    'SSLType None',
    'AuthMechs LOGIN',
    '',
    `IMAPStore ${name}-store`,
    `Account ${name}`,
    '',
  ];
  writeFileSync(
    config,
    [
      ...account('src', src, srcUser),
      ...account('tgt', tgt, tgtUser),
      'Channel bench',
      'Far :src-store:',
      'Near :tgt-store:',
      'Patterns *',
      'Create Near',
      'Sync Pull',
      'CopyArrivalDate yes',
      `SyncState ${dir}/`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return timed('mbsync', ['-c', config, '-a', '-q']);
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
