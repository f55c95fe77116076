import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ALLOWANCE_WINDOW_MS } from '../limits/mailbox-allowance.js';
import { SERVICE_PROFILES } from '../mailstore/service-profile.js';
import { withDefaults } from '../programme/config/config.js';
import { Endpoints } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { mailboxDetail } from '../report/mailbox-detail.js';
import { explainMailbox } from '../serve/lookup-explanation.js';
import { openStateStore } from '../state/open-state-store.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { loadCorpus, type CorpusMessage } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { insertScheduledMailbox } from '../testing/scheduled-mailbox.js';
import { runOnSimulatedClock } from '../testing/run-on-simulated-clock.js';

let source: DovecotServer;
let target: DovecotServer;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

const plannedAt = new Date('2027-04-01T00:00:00Z');
/** The allowance in the test: 200,000 bytes per mailbox per day (Gmail's is 500 MB). */
const ALLOWANCE = 200_000;

/** 40 messages of about 20 KB in two folders: about four days of the allowance. */
function corpus(): CorpusMessage[] {
  return Array.from({ length: 40 }, (_, i) => ({
    folder: i % 2 === 0 ? 'INBOX' : 'Archive/2026',
    raw: Buffer.from(
      `From: a@example.org\r\nTo: b@example.org\r\nSubject: message ${i}\r\n\r\n${String(i).padStart(4, '0').repeat(5_000)}\r\n`,
    ),
    flags: i % 3 === 0 ? ['\\Seen'] : [],
    internalDate: new Date(Date.UTC(2026, 0, 1 + i)),
  }));
}

test("a mailbox's daily upload allowance: its step stops at a safe point, waits (not failed) and goes on in the next window, exactly once", async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'allowance', lifecycle: { prestageDays: 3 } }, '/tmp');
  try {
    const endpoints = new Endpoints(db, box);
    await endpoints.add(testEndpoint('old', source.url, source));
    // The gmail profile brings its 500 MB a day unless told otherwise; this endpoint sets its own.
    await endpoints.add(testEndpoint('gmail-default', target.url, target, { profile: 'gmail' }));
    await endpoints.add(
      testEndpoint('new', target.url, target, { profile: 'gmail', bytesPerMailboxPerDay: ALLOWANCE }),
    );
    const listed = await endpoints.list();
    assert.equal(
      listed.find((e) => e.name === 'gmail-default')?.bytesPerMailboxPerDay,
      SERVICE_PROFILES.gmail.bytesPerDay,
    );
    assert.equal(listed.find((e) => e.name === 'new')?.bytesPerMailboxPerDay, ALLOWANCE);

    const from = await source.addUser();
    const to = await target.addUser();
    const messages = corpus();
    await loadCorpus(source, from, messages);
    const total = messages.reduce((n, m) => n + m.raw.length, 0);
    const due = firstStep('2027-04-06', config.lifecycle, plannedAt);
    await insertScheduledMailbox(db, {
      address: 'ann@example.org',
      source: { endpoint: 'old', user: from.user },
      target: { endpoint: 'new', user: to.user },
      day: '2027-04-06',
      due,
    });

    // What a person sees while the mailbox waits: read at the first stop.
    const seen: Promise<{
      state: string;
      failure: string | null;
      waiting: string | null;
      words: string[];
    }>[] = [];
    const totals = await runOnSimulatedClock({ db, box, config }, plannedAt, {
      onStep: (address, _step, result) => {
        if (result !== 'waiting' || seen.length > 0) return;
        seen.push(
          mailboxDetail(db, address).then((m) => ({
            state: m.state,
            failure: m.lastFailure?.type ?? null,
            waiting: m.waitingFor,
            words: explainMailbox(m, []),
          })),
        );
      },
    });
    assert.equal(totals.ended, 'finished');
    assert.equal(totals.failed, 0);
    const windows = Math.ceil(total / ALLOWANCE);
    assert.ok(totals.waiting >= windows - 1, `${totals.waiting} stops for ${total} bytes`);

    const first = await seen[0]!;
    assert.notEqual(first.state, 'failed');
    assert.equal(first.failure, null);
    assert.match(
      first.waiting ?? '',
      /^waiting for the daily upload allowance of endpoint new \(200000 bytes per mailbox per day\): \d+ bytes sent since /,
    );
    assert.ok(
      first.words.some((w) => /today's share is used up, so the copy paused and goes on by itself/.test(w)),
      first.words.join('\n'),
    );

    const row = await db.selectFrom('mailbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.state, 'done', row.failure_reason ?? '');
    assert.equal(row.waiting_for, null);
    assert.equal(row.attempts, 0);
    // Exactly once and byte-exact: the target holds each message once, with its flags and date.
    assert.deepEqual(
      diffSnapshots(await snapshotMailbox(source, from), await snapshotMailbox(target, to)),
      [],
    );

    // Bytes, not wall time: each stop names what its window took (never more than the allowance),
    // and the next pass starts only when that window is over.
    const passes = await db.selectFrom('pass').selectAll().orderBy('started_at').execute();
    const stops = passes.filter((p) => p.error_type === 'allowance');
    assert.equal(stops.length, totals.waiting);
    let copied = 0;
    for (const p of passes) copied += Number(p.bytes);
    assert.ok(copied >= total, `${copied} bytes copied of ${total}`);
    for (const stop of stops) {
      assert.equal(stop.outcome, 'interrupted');
      const m = /: (\d+) bytes sent since (\S+), the next message/.exec(stop.error_reason ?? '')!;
      assert.ok(Number(m[1]) <= ALLOWANCE, stop.error_reason ?? '');
      const next = passes[passes.indexOf(stop) + 1]!;
      assert.ok(
        Date.parse(next.started_at) >= Date.parse(m[2]!) + ALLOWANCE_WINDOW_MS,
        `${next.started_at} after ${m[2]}`,
      );
    }
  } finally {
    await db.destroy();
  }
});
