import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { endpointOf, runSync, tempStatePath, toCyrus } from '../testing/sync-fixture.js';

const MAILBOXES = 5;
const MESSAGES = 2000;

let source: DovecotServer;
let target: DovecotServer;
let cyrus: DovecotServer;
before(async () => {
  [source, target, cyrus] = await Promise.all([
    startDovecot(),
    startDovecot(),
    startDovecot({ delimiter: '.', prefix: 'INBOX.' }),
  ]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop(), cyrus?.stop()]);
});

test(`independent check: ${MAILBOXES} mailboxes x ${MESSAGES} messages, zero differences`, async (t) => {
  let messages = 0;
  for (let i = 0; i < MAILBOXES; i++) {
    const to = i % 2 === 0 ? target : cyrus;
    const su = await source.addUser();
    const tu = await to.addUser();
    const corpus = generateCorpus({ seed: 100 + i, messages: MESSAGES });
    await loadCorpus(source, su, corpus);
    const report = await runSync(endpointOf(source, su), endpointOf(to, tu), tempStatePath());
    assert.equal(report.status, 'done', JSON.stringify(report.error));
    assert.equal(report.messagesCopied, MESSAGES);
    // Every message fetched from both sides by imapflow directly: SHA-256 of the bytes, flags, internal date.
    const sourceSnapshot = await snapshotMailbox(source, su);
    const diff = diffSnapshots(
      sourceSnapshot,
      await snapshotMailbox(to, tu),
      to === cyrus ? toCyrus : undefined,
    );
    assert.deepEqual(diff, [], `mailbox ${i}`);
    messages += [...sourceSnapshot.values()].reduce((n, list) => n + list.length, 0);
    t.diagnostic(
      `mailbox ${i}: ${MESSAGES} messages in ${report.folders.length} folders, ${report.durationMs} ms`,
    );
  }
  assert.equal(messages, MAILBOXES * MESSAGES);
});
