import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';
import { after, before, test } from 'node:test';
import { withDefaults, type ProgrammeConfig } from '../programme/config/config.js';
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
import { startRefusingFront, type RefusingFront } from '../testing/refusing-front.js';
import { startThrottlingFront, type ThrottlingFront } from '../testing/throttling-front.js';
import { runOnSimulatedClock } from '../testing/run-on-simulated-clock.js';
import { MAX_HINT_MS } from '../errors/retry-delay.js';

let source: DovecotServer;
let target: DovecotServer;
let front: ThrottlingFront;
let midFolder: RefusingFront;
before(async () => {
  // One APPEND per message on the target (no MULTIAPPEND), so the 5th is in the middle of a folder.
  [source, target] = await Promise.all([startDovecot(), startDovecot({ multiappend: false })]);
  // The target throttles the first two logins: 40 s, then 10 hours (more than tranche will wait).
  front = await startThrottlingFront('127.0.0.1', target.port, [40_000, 36_000_000]);
  // Another way in to the target throttles the 5th APPEND, in the middle of a folder, asking for 40 s.
  midFolder = await startRefusingFront('127.0.0.1', target.port, {
    command: /^APPEND /i,
    refuse: [5],
    reply: 'NO [THROTTLED] Request is throttled. Suggested Backoff Time: 40000 milliseconds',
  });
});
after(async () => {
  await front?.close();
  await midFolder?.close();
  await Promise.all([source?.stop(), target?.stop()]);
});

const plannedAt = new Date('2027-04-01T00:00:00Z');

/** A programme of one mailbox, from SOURCE to the target behind URL, its pre-stage due; returns the copy's two users. */
async function oneMailbox(db: Kysely<Database>, box: SecretBox, config: ProgrammeConfig, targetUrl: string) {
  const endpoints = new Endpoints(db, box);
  await endpoints.add(testEndpoint('old', source.url, source));
  await endpoints.add(testEndpoint('new', targetUrl, target));
  const from = await source.addUser();
  const to = await target.addUser();
  await loadCorpus(
    source,
    from,
    generateCorpus({ seed: 5, messages: 12, folders: ['INBOX', 'Work'], bigAttachments: 0 }),
  );
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
  return { from, to };
}

/** Programme time between the end of pass I and the start of the next. */
function gap(passes: { started_at: string; finished_at: string | null }[], i: number): number {
  return Date.parse(passes[i + 1]!.started_at) - Date.parse(passes[i]!.finished_at!);
}

test('a throttling target: the runner waits as the server suggests (up to its cap), records the stall, then finishes', async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'throttling' }, '/tmp');
  try {
    const { from, to } = await oneMailbox(db, box, config, front.url);
    const totals = await runOnSimulatedClock({ db, box, config }, plannedAt);
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
    // The next try comes when the server said (the clock jumps to it), and never later than the cap.
    // The slack is programme time spent claiming and connecting (600x: 4 minutes are 0.4 s of real
    // time on a loaded machine); the back-off without a hint would be 5 to 10 minutes, and 10 hours uncapped.
    assert.ok(
      gap(passes, 0) >= 40_000 && gap(passes, 0) < 40_000 + 240_000,
      `first wait ${gap(passes, 0)} ms`,
    );
    assert.ok(
      gap(passes, 1) >= MAX_HINT_MS && gap(passes, 1) < MAX_HINT_MS + 600_000,
      `second wait ${gap(passes, 1)} ms`,
    );
  } finally {
    await db.destroy();
  }
});

test('a target throttling in the middle of a folder: the step is retried when the server said, not on the generic back-off', async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'throttling-mid-folder' }, '/tmp');
  try {
    const { from, to } = await oneMailbox(db, box, config, midFolder.url);
    const totals = await runOnSimulatedClock({ db, box, config }, plannedAt);
    assert.equal(totals.ended, 'finished');
    assert.equal(midFolder.refused, 1);
    assert.ok(midFolder.matched > 5, `APPENDs seen: ${midFolder.matched}`);
    const row = await db.selectFrom('mailbox').selectAll().executeTakeFirstOrThrow();
    const passes = await db.selectFrom('pass').selectAll().orderBy('started_at').execute();
    const told = JSON.stringify(passes.map((p) => [p.outcome, p.error_reason]));
    assert.equal(row.state, 'done', row.failure_reason ?? '');
    assert.equal(Number(row.stalled_ms), 40_000, told);
    // The throttled APPEND's batch is found on the target by content on the retry: nothing twice, nothing lost.
    assert.deepEqual(
      diffSnapshots(await snapshotMailbox(source, from), await snapshotMailbox(target, to)),
      [],
    );
    assert.deepEqual(
      passes.slice(0, 2).map((p) => [p.kind, p.outcome, p.error_type]),
      [
        ['prestage', 'failed', 'throttled'],
        ['prestage', 'ok', null],
      ],
    );
    assert.match(passes[0]!.error_reason ?? '', /APPEND .*Suggested Backoff Time: 40000 milliseconds/);
    // The server's 40 s, plus programme time spent claiming and connecting (600x); the generic
    // back-off without the hint would be 5 to 10 minutes.
    assert.ok(gap(passes, 0) >= 40_000 && gap(passes, 0) < 40_000 + 240_000, `wait ${gap(passes, 0)} ms`);
  } finally {
    await db.destroy();
  }
});
