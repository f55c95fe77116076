import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { endpointOf, runSync, tempStatePath } from '../testing/sync-fixture.js';
import { killAndResume } from '../testing/kill-and-resume.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotOptions, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { onProxyLines } from '../testing/proxy-lines.js';

/** Counts APPEND commands and '+' continuations on a proxy (command lines start after a CRLF). */
function countCommands(proxy: TcpProxy): { appends: number; continuations: number } {
  const counts = { appends: 0, continuations: 0 };
  onProxyLines(proxy, 'up', (line) => {
    if (/^T\d+ APPEND /.test(line)) counts.appends++;
  });
  onProxyLines(proxy, 'down', (line) => {
    if (line.startsWith('+')) counts.continuations++;
  });
  return counts;
}

describe('copying into servers without LITERAL+ (Courier-like, Gmail-like)', () => {
  let source: DovecotServer;
  const targets = new Map<string, DovecotServer>();
  const shapes: [string, DovecotOptions][] = [
    ['no LITERAL+, MULTIAPPEND', { literals: 'sync' }],
    ['no LITERAL+, no MULTIAPPEND', { literals: 'sync', multiappend: false }],
    ['LITERAL- only, no MULTIAPPEND (as Gmail)', { literals: 'minus', multiappend: false }],
    ['LITERAL- and MULTIAPPEND', { literals: 'minus' }],
  ];

  before(async () => {
    source = await startDovecot();
    for (const [name, options] of shapes) targets.set(name, await startDovecot(options));
  });
  after(async () => {
    await Promise.all([source?.stop(), ...[...targets.values()].map((t) => t.stop())]);
  });

  for (const [name, options] of shapes) {
    test(`${name}: byte-exact by the independent snapshot; a re-run copies nothing`, async () => {
      const target = targets.get(name)!;
      const su = await source.addUser();
      const tu = await target.addUser();
      const corpus = generateCorpus({ seed: 31, messages: 240, bigAttachments: 2 });
      await loadCorpus(source, su, corpus);
      const proxy = await startTcpProxy('127.0.0.1', target.port);
      const counts = countCommands(proxy);
      try {
        const state = tempStatePath();
        const first = await runSync(endpointOf(source, su), endpointOf(proxy, tu), state);
        assert.equal(first.status, 'done', JSON.stringify(first.error));
        assert.equal(first.messagesCopied, corpus.length);
        assert.deepEqual(
          diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
          [],
        );
        const small = corpus.filter((m) => m.raw.length <= 4096).length;
        if (options.multiappend === false) {
          assert.equal(counts.appends, corpus.length, 'one APPEND per message');
        } else {
          // Folders of up to 100 messages or 8 MB share one command.
          assert.ok(counts.appends < corpus.length / 5, `${counts.appends} APPEND commands`);
        }
        // Synchronising literals wait for '+'; LITERAL- sends the small ones without.
        const expected = options.literals === 'minus' ? corpus.length - small : corpus.length;
        assert.equal(counts.continuations, expected, `'+' continuations (${small} messages <= 4096 bytes)`);
        const second = await runSync(endpointOf(source, su), endpointOf(proxy, tu), state);
        assert.equal(second.messagesCopied, 0);
      } finally {
        await proxy.close();
      }
    });
  }

  test('a message the target refuses inside a MULTIAPPEND command: only it is skipped', async () => {
    const small = await startDovecot({ literals: 'sync', maxMessageSize: 200_000 });
    try {
      const su = await source.addUser();
      const tu = await small.addUser();
      const corpus = generateCorpus({ seed: 32, messages: 60, folders: ['INBOX'], bigAttachments: 0 });
      const huge = Buffer.from(`Subject: huge\r\n\r\n${'y'.repeat(300_000)}\r\n`);
      corpus.splice(30, 0, { folder: 'INBOX', raw: huge, flags: ['\\Seen'], internalDate: new Date() });
      await loadCorpus(source, su, corpus);
      const report = await runSync(endpointOf(source, su), endpointOf(small, tu), tempStatePath());
      assert.equal(report.status, 'done-with-skipped', JSON.stringify(report.error));
      assert.equal(report.messagesCopied, 60);
      assert.equal(report.skipped.length, 1);
      assert.ok(report.skipped[0]!.size > 300_000);
      const hugeHash = createHash('sha256').update(huge).digest('hex');
      const sourceSnap = await snapshotMailbox(source, su);
      sourceSnap.set(
        'INBOX',
        sourceSnap.get('INBOX')!.filter((m) => m.sha256 !== hugeHash),
      );
      assert.deepEqual(diffSnapshots(sourceSnap, await snapshotMailbox(small, tu)), []);
    } finally {
      await small.stop();
    }
  });

  test('kill -9 mid-copy into a server without LITERAL+ (MULTIAPPEND), then a re-run: exactly once', async (t) => {
    const target = targets.get('no LITERAL+, MULTIAPPEND')!;
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 33, messages: 500, bigAttachments: 1 }));
    const report = await killAndResume(source, su, target, tu, {
      batchMessages: 150,
      killAfterBytes: [700_000, 2_500_000, 3_000_000],
    });
    assert.equal(report.status, 'done');
    t.diagnostic(`after the last kill: ${report.messagesMatched} messages found on the target by content`);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });
});
