import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../log/logger.js';
import { withDefaults } from '../programme/config/config.js';
import { Endpoints } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { openStateStore } from '../state/open-state-store.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { startThrottlingFront, type ThrottlingFront } from '../testing/throttling-front.js';
import { SimulatedClock } from '../limits/clock.js';
import { runProgramme } from './runner.js';
import { MAX_HINT_MS } from './step-outcome.js';

let source: DovecotServer;
let target: DovecotServer;
let front: ThrottlingFront;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  // The target throttles the first two logins: 40 s, then 10 hours (more than tranche will wait).
  front = await startThrottlingFront('127.0.0.1', target.port, [40_000, 36_000_000]);
});
after(async () => {
  await front?.close();
  await Promise.all([source?.stop(), target?.stop()]);
});

test('a throttling target: the runner waits as the server suggests (up to its cap), records the stall, then finishes', async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'throttling' }, '/tmp');
  try {
    const endpoints = new Endpoints(db, box);
    await endpoints.add(testEndpoint('old', source.url, source));
    await endpoints.add(testEndpoint('new', front.url, target));
    const from = await source.addUser();
    const to = await target.addUser();
    await loadCorpus(
      source,
      from,
      generateCorpus({ seed: 5, messages: 12, folders: ['INBOX', 'Work'], bigAttachments: 0 }),
    );
    const plannedAt = new Date('2027-04-01T00:00:00Z');
    const due = firstStep('2027-04-06', config.lifecycle, plannedAt);
    await db
      .insertInto('mailbox')
      .values({
        address: 'ann@example.org',
        organisation: null,
        source_endpoint: 'old',
        source_user: from.user,
        source_secret: null,
        target_endpoint: 'new',
        target_user: to.user,
        target_secret: null,
        notify_address: 'ann@example.org',
        state: 'scheduled',
        batch_day: '2027-04-06',
        next_step: due.step,
        next_due_at: due.dueAt,
      })
      .execute();
    const totals = await runProgramme({
      db,
      box,
      config,
      clock: new SimulatedClock(plannedAt, 600),
      logger: silentLogger(),
      signal: new AbortController().signal,
    });
    assert.equal(totals.ended, 'finished');
    assert.equal(totals.retry, 2);
    assert.equal(front.throttled, 2);
    const row = await db.selectFrom('mailbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.state, 'done', row.failure_reason ?? '');
    assert.equal(Number(row.stalled_ms), 40_000 + MAX_HINT_MS);
    assert.deepEqual(
      diffSnapshots(await snapshotMailbox(source, from), await snapshotMailbox(target, to)),
      [],
    );

    const passes = await db.selectFrom('pass').selectAll().orderBy('started_at').execute();
    assert.deepEqual(
      passes.slice(0, 3).map((p) => [p.kind, p.outcome, p.error_type]),
      [
        ['prestage', 'failed', 'throttled'],
        ['prestage', 'failed', 'throttled'],
        ['prestage', 'ok', null],
      ],
    );
    assert.match(passes[0]!.error_reason ?? '', /Suggested Backoff Time: 40000 milliseconds/);
    const gap = (i: number): number =>
      Date.parse(passes[i + 1]!.started_at) - Date.parse(passes[i]!.finished_at!);
    // The next try comes when the server said (the clock jumps to it), and never later than the cap.
    // The slack is programme time spent claiming and connecting (600x: 4 minutes are 0.4 s of real
    // time on a loaded machine); the back-off without a hint would be 5 to 10 minutes, and 10 hours uncapped.
    assert.ok(gap(0) >= 40_000 && gap(0) < 40_000 + 240_000, `first wait ${gap(0)} ms`);
    assert.ok(gap(1) >= MAX_HINT_MS && gap(1) < MAX_HINT_MS + 600_000, `second wait ${gap(1)} ms`);
  } finally {
    await db.destroy();
  }
});
