// A hold reaches a running step: it stops at a safe point within a poll, nothing more starts while
// held, and after the release the step resumes from its checkpoints: the target equals the source,
// no message twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { silentLogger } from '../log/logger.js';
import { withDefaults } from '../programme/config/config.js';
import { Endpoints } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { releaseMailboxes } from '../programme/operations/bring-back.js';
import { holdMailboxes } from '../programme/operations/hold-mailboxes.js';
import { pauseEndpoint, resumeEndpoint } from '../programme/operations/endpoint-pause.js';
import type { OperationInput } from '../programme/operations/operation.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { storeBackends } from '../testing/store-backends.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { SimulatedClock } from '../limits/clock.js';
import { runProgramme } from './runner.js';

let source: DovecotServer;
let target: DovecotServer;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

const PLANNED = new Date('2027-03-01T00:00:00Z');

/** Waits (real time, polling the store) until CHECK holds, or fails after 60 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const openPass = async (db: Kysely<Database>): Promise<boolean> =>
  (await db.selectFrom('pass').select('id').where('finished_at', 'is', null).execute()).length > 0;

for (const [backend, location] of storeBackends()) {
  describe(`people stop a running step on ${backend}`, () => {
    for (const how of ['hold', 'pause --now'] as const) {
      test(`${how}: the running pre-stage stops at a safe point; after the release it resumes, exactly once`, async () => {
        const db = await openStateStore(await location());
        const box = new SecretBox(generateSecretKey());
        const config = withDefaults({ name: 'hold test', schedule: { noticeDays: 0 } }, '/tmp');
        const endpoints = new Endpoints(db, box);
        // A slow byte budget (about 600 KB in 1.7 programme hours, 10 s at 600x) keeps the copy running.
        await endpoints.add(testEndpoint('old', source.url, source));
        await endpoints.add(testEndpoint('new', target.url, undefined, { bytesPerHour: 360_000 }));
        const from = await source.addUser();
        const to = await target.addUser();
        await loadCorpus(
          source,
          from,
          generateCorpus({ seed: 7, messages: 40, folders: ['INBOX', 'Work'], bigAttachments: 0 }),
        );
        const address = `${from.user}@example.org`;
        const due = firstStep('2027-03-02', config.lifecycle, PLANNED);
        await db
          .insertInto('mailbox')
          .values({
            address,
            organisation: null,
            source_endpoint: 'old',
            source_user: from.user,
            source_secret: null,
            target_endpoint: 'new',
            target_user: to.user,
            target_secret: box.seal(to.password),
            notify_address: address,
            state: 'scheduled',
            batch_day: '2027-03-02',
            next_step: due.step,
            next_due_at: due.dueAt,
          })
          .execute();
        const clock = new SimulatedClock(PLANNED, 600);
        const stop = new AbortController();
        const steps: string[] = [];
        const running = runProgramme({
          db,
          box,
          config,
          clock,
          logger: silentLogger(),
          signal: stop.signal,
          follow: true,
          onStep: (_mailbox, step, result) => steps.push(`${step}:${result}`),
        });
        try {
          const input: OperationInput = {
            db,
            config,
            actor: 'pat',
            reason: 'consultant on leave',
            dryRun: false,
            force: true,
            now: clock.now(),
          };
          await until(() => openPass(db), 'the pre-stage to start');
          if (how === 'hold') await holdMailboxes({ ...input, now: clock.now() }, [address]);
          else await pauseEndpoint({ ...input, now: clock.now(), reason: 'target struggling' }, 'new', true);
          await until(() => Promise.resolve(steps.length > 0), 'the step to stop');
          assert.deepEqual(steps, ['prestage:interrupted']);
          const stopped = await db.selectFrom('pass').selectAll().executeTakeFirstOrThrow();
          assert.equal(stopped.outcome, 'interrupted');
          assert.equal(
            stopped.error_reason,
            how === 'hold' ? 'held: consultant on leave' : 'endpoint new paused',
          );
          const row = await db
            .selectFrom('mailbox')
            .selectAll()
            .where('address', '=', address)
            .executeTakeFirstOrThrow();
          assert.equal(row.lease_owner, null, 'the lease is let go');
          // Nothing starts again while it is held (or its server paused): a few polls go by.
          await new Promise((r) => setTimeout(r, 1500));
          assert.deepEqual(steps, ['prestage:interrupted']);
          if (how === 'hold') await releaseMailboxes({ ...input, now: clock.now() }, [address]);
          else await resumeEndpoint({ ...input, now: clock.now() }, 'new');
          await until(() => Promise.resolve(steps.length > 1), 'the resumed step to end');
          // At 600x the later steps (delta, final) may follow at once on a busy machine; the
          // pre-stage itself ends once, ok, right after its interruption.
          assert.deepEqual(steps.slice(0, 2), ['prestage:interrupted', 'prestage:ok']);
          assert.equal(steps.filter((s) => s.startsWith('prestage:')).length, 2);
          // Exactly once: the target equals the source, no message copied twice.
          const sourceSnapshot = await snapshotMailbox(source, from);
          assert.deepEqual(diffSnapshots(sourceSnapshot, await snapshotMailbox(target, to)), []);
          const count = (s: Map<string, unknown[]>): number =>
            [...s.values()].reduce((n, f) => n + f.length, 0);
          assert.equal(count(await snapshotMailbox(target, to)), count(sourceSnapshot), 'no message twice');
        } finally {
          stop.abort();
          // Stopped while idle in follow mode, the run may end with the stop's own AbortError.
          await running.catch((error: unknown) => assert.equal((error as Error).name, 'AbortError'));
          await db.destroy();
        }
      });
    }
  });
}
