import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../log/logger.js';
import { addMailUsers } from '../testing/mail-users.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { endpointOf } from '../testing/sync-fixture.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';
import { OFFICE_USER, type SoakProfile } from './profile.js';
import { runSoak } from './soak-run.js';
import { parseThreshold } from './thresholds.js';

/** A busy user: about six actions a second, so a few users make a load in seconds. */
const BUSY: SoakProfile = {
  ...OFFICE_USER,
  actionsPerHour: Object.fromEntries(
    Object.entries(OFFICE_USER.actionsPerHour).map(([k, v]) => [k, v * 200]),
  ) as SoakProfile['actionsPerHour'],
  messageBytes: 4000,
};

let server: DovecotServer;
let users: DovecotUser[] = [];

before(async () => {
  server = await startDovecot();
  users = await addMailUsers(server, 3, 20, 30);
});
after(async () => {
  await server.stop();
});

test('a generous run is a go, every step measured, and the accounts are left as they were found', async () => {
  const before = await Promise.all(users.map((u) => snapshotMailbox(server, u)));
  const result = await runSoak({
    target: server.url,
    logins: users.map((u) => endpointOf(server, u)),
    ramp: [1, 2],
    durationMs: 4000,
    windowMs: 1000,
    profile: BUSY,
    thresholds: ['all.p99<10s', 'errors<5%', 'recovery<10s'].map(parseThreshold),
    signal: new AbortController().signal,
    logger: silentLogger(),
  });
  assert.equal(result.verdict.go, true, result.verdict.summary);
  assert.match(result.verdict.summary, /^GO: 3 thresholds met/);
  const [first, second] = result.phases;
  assert.ok(
    first && second && first.figures.all.count > 10 && second.figures.all.count > first.figures.all.count,
  );
  for (const name of ['select', 'fetch', 'append', 'store', 'status'] as const)
    assert.ok(
      (result.steady.commands[name]?.count ?? 0) + (first.figures.commands[name]?.count ?? 0) > 0,
      name,
    );
  assert.ok(result.windows.length >= 4);
  assert.ok(
    result.windows.every((w) => w.connections >= users.length),
    'connections charted',
  );
  assert.notEqual(result.recovery.afterMs, undefined);
  assert.ok(result.cleanup.appended > 0);
  const afterRun = await Promise.all(users.map((u) => snapshotMailbox(server, u)));
  for (let i = 0; i < users.length; i++) assert.deepEqual(diffSnapshots(before[i]!, afterRun[i]!), []);
});

test('a target slowed half way shows the step where it degraded, and its recovery', async () => {
  const proxy = await startTcpProxy('127.0.0.1', server.port);
  try {
    const result = await runSoak({
      target: proxy.url,
      logins: users.map((u) => endpointOf(proxy, u)),
      ramp: [1, 2, 3],
      durationMs: 6000,
      windowMs: 1000,
      profile: BUSY,
      thresholds: ['all.p95<250ms', 'recovery<10s'].map(parseThreshold),
      signal: new AbortController().signal,
      logger: silentLogger(),
      // Slow from the second step on; fast again when the top load is gone.
      onPhase: (phase) => proxy.setDelay(phase.kind === 'step' && phase.index >= 2 ? 300 : 0),
    });
    assert.equal(result.verdict.go, false);
    const failedIn = result.verdict.failures
      .filter((f) => f.threshold === 'all.p95<250ms')
      .map((f) => f.where);
    assert.deepEqual(failedIn, ['step 2 (x2)', 'step 3 (x3)', 'steady (x3)']);
    assert.ok(result.phases[0]!.figures.all.p95 < 250);
    assert.ok(result.phases[1]!.figures.all.p95 >= 300);
    assert.notEqual(result.recovery.afterMs, undefined, 'recovered once the proxy is fast again');
    assert.ok(!result.verdict.failures.some((f) => f.threshold === 'recovery<10s'));
  } finally {
    await proxy.close();
  }
});
