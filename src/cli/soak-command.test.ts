import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { addMailUsers } from '../testing/mail-users.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox, type Snapshot } from '../testing/snapshot.js';
import { runCli, type CliResult } from '../testing/sync-fixture.js';

let server: DovecotServer;
let users: DovecotUser[] = [];
let dir: string;
let accounts: string;
let profile: string;

/** A busy user's hour (about six actions a second) so that seconds make a load. */
const BUSY_PROFILE = `actionsPerHour:
  login: 800
  list: 800
  select: 4000
  status: 6000
  fetchHeaders: 4000
  fetchMessage: 3000
  search: 400
  deliver: 1600
  saveSent: 600
  flag: 1600
  expunge: 400
connectionsPerUser: 2
idleShare: 0.5
messageBytes: 3000
`;

before(async () => {
  server = await startDovecot();
  users = await addMailUsers(server, 3, 40, 20);
  dir = mkdtempSync(join(tmpdir(), 'tranche-soak-'));
  accounts = join(dir, 'accounts.csv');
  writeFileSync(accounts, `user,password\n${users.map((u) => `${u.user},${u.password}`).join('\n')}\n`);
  profile = join(dir, 'busy.yaml');
  writeFileSync(profile, BUSY_PROFILE);
});
after(async () => {
  await server.stop();
  users = [];
});

const soakArgs = (...extra: string[]): string[] => [
  'soak',
  '--target',
  server.url,
  '--accounts',
  accounts,
  '--allow-plaintext',
  '--i-own-this-server',
  '--profile',
  profile,
  '--ramp',
  '1,2',
  '--duration',
  '3s',
  '--window',
  '1s',
  ...extra,
];

const snapshots = (): Promise<Snapshot[]> => Promise.all(users.map((u) => snapshotMailbox(server, u)));

test('generous thresholds: exit 0, an HTML and a JSON report, the accounts left as found', async () => {
  const before = await snapshots();
  const report = join(dir, 'go');
  const run = await runCli(
    soakArgs(
      '--threshold',
      'all.p99<20s',
      '--threshold',
      'errors<5%',
      '--threshold',
      'recovery<10s',
      '--report',
      report,
    ),
  );
  assert.equal(run.status, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /^tranche soak: GO: 3 thresholds met/);
  assert.match(run.stdout, /step 1 \(x1\)/);
  const json = JSON.parse(readFileSync(join(report, 'soak-report.json'), 'utf8')) as {
    verdict: { go: boolean };
    phases: { name: string }[];
    windows: unknown[];
    cleanup: { appended: number; removed: number; expunged: number };
  };
  assert.equal(json.verdict.go, true);
  assert.deepEqual(
    json.phases.map((p) => p.name),
    ['step 1 (x1)', 'step 2 (x2)', 'recovery (x1)'],
  );
  // What the profile's own expunges did not remove during the run is removed at its end.
  assert.ok(json.cleanup.appended > 0, JSON.stringify(json.cleanup));
  assert.equal(
    json.cleanup.removed + json.cleanup.expunged,
    json.cleanup.appended,
    JSON.stringify(json.cleanup),
  );
  const html = readFileSync(join(report, 'soak-report.html'), 'utf8');
  assert.match(html, /<h1>GO<\/h1>/);
  assert.match(html, /uPlot/);
  assert.doesNotMatch(html, new RegExp(users[0]!.password));
  const afterRun = await snapshots();
  for (let i = 0; i < users.length; i++) assert.deepEqual(diffSnapshots(before[i]!, afterRun[i]!), []);
});

test('a threshold the target cannot meet: exit 1, the threshold named with where it failed', async () => {
  const run = await runCli(soakArgs('--threshold', 'fetch.max<0.001ms', '--json'));
  assert.equal(run.status, 1, run.stderr);
  const result = JSON.parse(run.stdout) as {
    verdict: { go: boolean; summary: string; failures: { threshold: string; where: string }[] };
  };
  assert.equal(result.verdict.go, false);
  assert.match(result.verdict.summary, /^NO-GO: fetch\.max<0\.001ms failed/);
  assert.ok(result.verdict.failures.some((f) => f.where === 'step 1 (x1)'));
});

test('bad input exits 64; an unreachable target exits 69', async () => {
  const bad = async (args: string[], pattern: RegExp): Promise<void> => {
    const run: CliResult = await runCli(args);
    assert.equal(run.status, 64, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  };
  await bad(soakArgs('--threshold', 'login.p95<soon'), /not a duration/);
  await bad(soakArgs('--threshold', 'frobnicate.p95<1s'), /unknown command 'frobnicate'/);
  await bad(soakArgs('--ramp', '4,2'), /must not go down/);
  await bad(soakArgs('--duration', '25h'), /24h/);
  await bad(
    soakArgs().filter((a) => a !== '--i-own-this-server'),
    /--i-own-this-server is required/,
  );
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
  const args = soakArgs();
  args[2] = `imap://127.0.0.1:${closed}`;
  const run = await runCli(args);
  assert.equal(run.status, 69, run.stderr);
});

test('Ctrl-C stops the run early, closes every connection and removes what it appended', async () => {
  const before = await snapshots();
  const bin = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));
  const child = spawn(process.execPath, [bin, ...soakArgs('--duration', '60s', '--json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Logged in and loading a few seconds in, then Ctrl-C.
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const stoppedAt = Date.now();
  child.kill('SIGINT');
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.ok(Date.now() - stoppedAt < 20_000, 'stopped well before the 60 s');
  assert.equal(status, 1, stderr);
  assert.match(stderr, /SIGINT; finishing at a safe point/);
  const result = JSON.parse(stdout) as { ended: string; verdict: { failures: { threshold: string }[] } };
  assert.equal(result.ended, 'stopped');
  assert.equal(result.verdict.failures[0]?.threshold, 'complete run');
  const afterRun = await snapshots();
  for (let i = 0; i < users.length; i++) assert.deepEqual(diffSnapshots(before[i]!, afterRun[i]!), []);
  assert.ok(!existsSync(join(dir, 'never')));
});
