import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { withDefaults } from '../programme/config/config.js';
import { Endpoints } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { openStateStore } from '../state/open-state-store.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { startClosedFlagsFront, type ClosedFlagsFront } from '../testing/closed-flags-front.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { insertScheduledMailbox } from '../testing/scheduled-mailbox.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { runOnSimulatedClock } from '../testing/run-on-simulated-clock.js';

let source: DovecotServer;
let target: DovecotServer;
let front: ClosedFlagsFront;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  front = await startClosedFlagsFront('127.0.0.1', target.port, {
    closedFlags: true,
    dropOnAppend: ['\\Flagged'],
  });
});
after(async () => {
  await front?.close();
  await Promise.all([source?.stop(), target?.stop()]);
});

const plannedAt = new Date('2027-04-01T00:00:00Z');

test('a programme onto an exchange-online endpoint: keywords not kept recorded once per folder on the mailbox, \\Flagged set again, the final verify passes, done', async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'closed-flags' }, '/tmp');
  try {
    const endpoints = new Endpoints(db, box);
    await endpoints.add(testEndpoint('old', source.url, source));
    await endpoints.add(testEndpoint('m365', front.url, target, { profile: 'exchange-online' }));
    const from = await source.addUser();
    const to = await target.addUser();
    const corpus = generateCorpus({
      seed: 61,
      messages: 40,
      folders: ['INBOX', 'Work'],
      bigAttachments: 0,
    }).map((m, i) => ({ ...m, flags: [...(i % 2 ? ['\\Flagged'] : []), ...(i % 3 ? [] : ['$Label1'])] }));
    await loadCorpus(source, from, corpus);
    await insertScheduledMailbox(db, {
      address: 'ann@example.org',
      source: { endpoint: 'old', user: from.user },
      target: { endpoint: 'm365', user: to.user },
      day: '2027-04-06',
      due: firstStep('2027-04-06', config.lifecycle, plannedAt),
    });
    const totals = await runOnSimulatedClock({ db, box, config }, plannedAt);
    assert.equal(totals.ended, 'finished');
    const row = await db.selectFrom('mailbox').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.state, 'done', row.failure_reason ?? '');
    const items = await db.selectFrom('skipped_item').selectAll().orderBy('folder').execute();
    const folders = [
      ...new Set(corpus.filter((m) => m.flags.includes('$Label1')).map((m) => m.folder)),
    ].sort();
    assert.deepEqual(
      items.map((i) => [i.kind, i.folder, Number(i.uid)]),
      folders.map((f) => ['keywords-not-kept', f, 0]),
    );
    for (const item of items) assert.match(item.reason, /\$Label1/);
    // A warning, not a skipped item: the pass that copied was ok, not partial.
    const passes = await db.selectFrom('pass').selectAll().orderBy('started_at').execute();
    assert.ok(
      passes.every((p) => p.outcome === 'ok'),
      JSON.stringify(passes.map((p) => p.outcome)),
    );
    const expected = await snapshotMailbox(source, from);
    for (const messages of expected.values())
      for (const m of messages) m.flags = m.flags.filter((f) => f !== '$Label1');
    assert.deepEqual(diffSnapshots(expected, await snapshotMailbox(target, to)), []);
  } finally {
    await db.destroy();
  }
});
