import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArrivalSchedule } from './arrivals.js';
import { parseDuration } from './duration-text.js';
import { parseRamp, planLoad } from './load-plan.js';
import { OFFICE_USER, actionsPerUserHour, parseProfile } from './profile.js';
import { gateFor } from './soak-gate.js';
import type { SoakRunRecord } from './soak-runs.js';
import { parseThreshold } from './thresholds.js';

const usage = (pattern: RegExp) => (error: unknown) =>
  (error as { type?: string }).type === 'usage' && pattern.test((error as Error).message);

test('thresholds: commands, statistics, errors and recovery parsed; anything else a usage error', () => {
  assert.deepEqual(parseThreshold('login.p95<1s'), {
    kind: 'latency',
    text: 'login.p95<1s',
    command: 'login',
    stat: 'p95',
    limitMs: 1000,
  });
  assert.equal((parseThreshold('fetch.p99 < 800ms') as { limitMs: number }).limitMs, 800);
  assert.deepEqual(parseThreshold('errors<0.5%'), {
    kind: 'errors',
    text: 'errors<0.5%',
    command: 'all',
    limitPercent: 0.5,
  });
  assert.equal((parseThreshold('append.errors<1%') as { command: string }).command, 'append');
  assert.deepEqual(parseThreshold('recovery<10m'), {
    kind: 'recovery',
    text: 'recovery<10m',
    limitMs: 600_000,
  });
  assert.throws(() => parseThreshold('login.p95>1s'), usage(/not a threshold/));
  assert.throws(() => parseThreshold('login.p42<1s'), usage(/unknown statistic/));
  assert.throws(() => parseThreshold('errors<half'), usage(/percentage/));
  assert.throws(() => parseDuration('10 minutes', '--duration'), usage(/not a duration/));
});

test('ramp and plan: rising multiples, even steps, a recovery phase at the first step', () => {
  assert.deepEqual(parseRamp('1, 2,4,7.5'), [1, 2, 4, 7.5]);
  assert.throws(() => parseRamp('1,0'), usage(/above 0/));
  const plan = planLoad({
    ramp: [1, 2],
    durationMs: 60_000,
    recoveryMs: 20_000,
    windowMs: 10_000,
    liveUsers: 3600,
    profile: OFFICE_USER,
  });
  assert.deepEqual(
    plan.phases.map((p) => [p.kind, p.startMs, p.endMs, p.ratePerSecond]),
    [
      ['step', 0, 30_000, actionsPerUserHour(OFFICE_USER)],
      ['step', 30_000, 60_000, 2 * actionsPerUserHour(OFFICE_USER)],
      ['recovery', 60_000, 80_000, actionsPerUserHour(OFFICE_USER)],
    ],
  );
  assert.throws(
    () =>
      planLoad({
        ramp: [1, 2, 3],
        durationMs: 20_000,
        recoveryMs: 0,
        windowMs: 10_000,
        liveUsers: 1,
        profile: OFFICE_USER,
      }),
    usage(/less than one/),
  );
});

test('the schedule offers each phase its rate and the profile its mix, the same for the same seed', () => {
  const plan = planLoad({
    ramp: [1, 3],
    durationMs: 200_000,
    recoveryMs: 100_000,
    windowMs: 10_000,
    liveUsers: 36,
    profile: OFFICE_USER,
  });
  const count = (seed: number): { perPhase: number[]; status: number; users: Set<number> } => {
    const schedule = new ArrivalSchedule(plan, OFFICE_USER, 5, seed);
    const perPhase = [0, 0, 0];
    let status = 0;
    const users = new Set<number>();
    for (let a = schedule.next(); a; a = schedule.next()) {
      perPhase[plan.phases.findIndex((p) => a.atMs >= p.startMs && a.atMs < p.endMs)]!++;
      if (a.action === 'status') status++;
      users.add(a.user);
    }
    return { perPhase, status, users };
  };
  const first = count(1);
  // 36 users × 116/h = 1.16 actions/s: ~116 in 100 s, ~348 at x3, ~116 in the recovery.
  const expected = [116, 348, 116];
  first.perPhase.forEach((n, i) =>
    assert.ok(Math.abs(n - expected[i]!) < 4 * Math.sqrt(expected[i]!), `${i}: ${n}`),
  );
  const total = first.perPhase.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(first.status / total - 30 / 116) < 0.06, 'status is about 30 of 116 actions');
  assert.deepEqual([...first.users].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(count(1), first);
  assert.notDeepEqual(count(2).perPhase, first.perPhase);
});

test('profile YAML: fields left out keep the office user; unknown fields and a zero mix refused', () => {
  const p = parseProfile('actionsPerHour: { search: 10 }\nidleShare: 0\n', 'p.yaml');
  assert.equal(p.actionsPerHour.search, 10);
  assert.equal(p.actionsPerHour.status, 30);
  assert.equal(p.idleShare, 0);
  assert.throws(
    () => parseProfile('actionsPerHour: { browse: 3 }', 'p.yaml'),
    usage(/p\.yaml: field 'actionsPerHour'/),
  );
  const zero = Object.keys(OFFICE_USER.actionsPerHour)
    .map((k) => `${k}: 0`)
    .join(', ');
  assert.throws(() => parseProfile(`actionsPerHour: { ${zero} }`, 'p.yaml'), usage(/at least one action/));
});

test('the gate: the newest run at the multiple decides; a later no-go closes it, an old go does not open it', () => {
  const now = new Date('2027-01-20T12:00:00Z');
  const run = (finishedAt: string, multiple: number, go: boolean): SoakRunRecord => ({
    id: finishedAt,
    endpoint: 'new',
    target: 'imaps://new',
    startedAt: finishedAt,
    finishedAt,
    multiple,
    users: 10,
    liveUsers: 1000,
    go,
    summary: go ? 'GO' : 'NO-GO',
    failures: go ? [] : [{ threshold: 'login.p95<1s', where: 'step 4 (x7.5)', observed: 'p95 2 s' }],
    reportDir: undefined,
  });
  const rule = { withinDays: 7, minMultiple: 7.5 };
  assert.match(gateFor('new', [], rule, now).reason, /no soak run yet/);
  assert.equal(gateFor('new', [run('2027-01-19T10:00:00Z', 7.5, true)], rule, now).open, true);
  // A go at a lower multiple neither opens nor closes the gate.
  const lower = gateFor(
    'new',
    [run('2027-01-19T10:00:00Z', 4, true), run('2027-01-18T10:00:00Z', 7.5, true)],
    rule,
    now,
  );
  assert.equal(lower.open, true);
  const closed = gateFor(
    'new',
    [run('2027-01-19T10:00:00Z', 8, false), run('2027-01-18T10:00:00Z', 7.5, true)],
    rule,
    now,
  );
  assert.equal(closed.open, false);
  assert.match(closed.reason, /NO-GO \(login\.p95<1s\)/);
  const stale = gateFor('new', [run('2027-01-10T10:00:00Z', 7.5, true)], rule, now);
  assert.equal(stale.open, false);
  assert.match(stale.reason, /10 days old/);
  assert.match(gateFor('new', [run('2027-01-19T10:00:00Z', 2, true)], rule, now).reason, /reached only x2/);
  assert.match(
    gateFor('other', [run('2027-01-19T10:00:00Z', 7.5, true)], rule, now).reason,
    /no soak run yet/,
  );
});
