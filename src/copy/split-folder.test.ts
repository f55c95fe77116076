import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { endpointOf, runSync, tempStatePath } from '../testing/sync-fixture.js';
import { killAndResume } from '../testing/kill-and-resume.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';

describe('one large folder split across connections', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  before(async () => {
    [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test('its batches go over several connections; byte-exact; a re-run copies and changes nothing', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    const corpus = generateCorpus({ seed: 41, messages: 900, folders: ['INBOX'], bigAttachments: 1 });
    await loadCorpus(source, su, corpus);
    const toTarget = await startTcpProxy('127.0.0.1', target.port);
    try {
      const state = tempStatePath();
      const first = await runSync(endpointOf(source, su), endpointOf(toTarget, tu), state, {
        batchMessages: 100,
      });
      assert.equal(first.status, 'done', JSON.stringify(first.error));
      assert.equal(first.messagesCopied, corpus.length);
      // One folder: without the split, one connection would have done it all.
      assert.ok(toTarget.connections >= 3, `${toTarget.connections} connections to the target`);
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
      const second = await runSync(endpointOf(source, su), endpointOf(toTarget, tu), state, {
        batchMessages: 100,
      });
      assert.equal(second.status, 'done');
      assert.equal(second.messagesCopied, 0);
      assert.equal(second.messagesMatched, 0);
      assert.equal(second.flagsUpdated, 0);
    } finally {
      await toTarget.close();
    }
  });

  test('kill -9 while several connections append into one folder, then a re-run: exactly once', async (t) => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(
      source,
      su,
      generateCorpus({ seed: 42, messages: 1200, folders: ['INBOX', 'Sent'], bigAttachments: 1 }),
    );
    const report = await killAndResume(source, su, target, tu, {
      batchMessages: 60,
      killAfterBytes: [1_500_000, 4_000_000, 6_000_000],
    });
    assert.equal(report.status, 'done');
    t.diagnostic(`after the last kill: ${report.messagesMatched} messages found on the target by content`);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });
});
