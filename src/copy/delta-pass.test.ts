import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateCorpus, loadCorpus, type CorpusMessage } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { cliArgs, endpointOf, rawClient, runCli, runSync, tempStatePath } from '../testing/sync-fixture.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { onProxyLines } from '../testing/proxy-lines.js';

const message = (n: number): Buffer =>
  Buffer.from(
    `From: a@example.org\r\nTo: b@example.org\r\nSubject: delta ${n}\r\nMessage-ID: <delta-${n}@example.org>\r\n\r\n` +
      `${'line of the new message\r\n'.repeat(20 + (n % 7))}`,
  );

/** The message listings (`UID FETCH n:* (UID FLAGS RFC822.SIZE ...)`) a client sent through the proxy, by start UID. */
function listingStarts(proxy: TcpProxy): number[] {
  const starts: number[] = [];
  onProxyLines(proxy, 'up', (line) => {
    const m = /UID FETCH (\d+):\* \(UID FLAGS RFC822\.SIZE/i.exec(line);
    if (m) starts.push(Number(m[1]));
  });
  return starts;
}

/** The INBOX UIDs whose \Flagged flag change() sets. */
const FLAGGED = Array.from({ length: 100 }, (_, i) => 20 + i * 3);

/** 10 new messages, \Flagged on 100 others and 5 deleted, in INBOX, behind tranche's back. */
async function change(server: DovecotServer, user: DovecotUser): Promise<void> {
  const client = await rawClient(server, user);
  try {
    await client.mailboxOpen('INBOX');
    for (let i = 0; i < 10; i++)
      await client.append('INBOX', message(i), ['\\Seen'], new Date(Date.UTC(2023, 1, 1 + i)));
    await client.messageFlagsAdd(FLAGGED.join(','), ['\\Flagged'], { uid: true });
    await client.messageDelete('2,5,400:402', { uid: true });
  } finally {
    await client.logout();
  }
}

describe('the delta pass: only what changed since the checkpoint', () => {
  let source: DovecotServer;
  let plainSource: DovecotServer;
  let target: DovecotServer;
  const corpus: CorpusMessage[] = generateCorpus({ seed: 181, messages: 450, folders: ['INBOX', 'Work'] });

  before(async () => {
    [source, plainSource, target] = await Promise.all([
      startDovecot(),
      startDovecot({ condstore: false }),
      startDovecot(),
    ]);
  });
  after(async () => {
    await Promise.all([source?.stop(), plainSource?.stop(), target?.stop()]);
  });

  for (const condstore of [true, false]) {
    test(`10 new, 100 flags changed, 5 deleted: exactly these cross (CONDSTORE ${condstore ? 'on: no folder listed whole' : 'off: the whole folder listed'})`, async () => {
      const src = condstore ? source : plainSource;
      const su = await src.addUser();
      const tu = await target.addUser();
      await loadCorpus(src, su, corpus);
      const inboxMessages = corpus.filter((m) => m.folder === 'INBOX');
      const inbox = inboxMessages.length;
      // Loaded in order, so UID n is the n-th: those already flagged do not change.
      const flagsChanged = FLAGGED.filter(
        (uid) => !inboxMessages[uid - 1]!.flags.includes('\\Flagged'),
      ).length;
      const proxy = await startTcpProxy('127.0.0.1', src.port);
      try {
        const state = tempStatePath();
        const first = await runSync(endpointOf(proxy, su), endpointOf(target, tu), state);
        assert.equal(first.status, 'done', JSON.stringify(first.error));
        await change(src, su);
        const starts = listingStarts(proxy);
        const delta = await runSync(endpointOf(proxy, su), endpointOf(target, tu), state, {
          propagateDeletes: true,
        });
        assert.equal(delta.status, 'done', JSON.stringify(delta.error));
        assert.equal(delta.messagesCopied, 10);
        assert.equal(delta.flagsUpdated, flagsChanged);
        assert.equal(delta.deleted, 5);
        assert.equal(delta.messagesMatched, 0);
        if (condstore) {
          assert.ok(
            starts.length > 0 && starts.every((from) => from > 1),
            `listings from ${starts.join(', ')}`,
          );
          assert.ok(starts.includes(inbox + 1), `INBOX listed from ${inbox + 1}: ${starts.join(', ')}`);
        } else {
          assert.ok(starts.includes(1), `the whole folder listed: ${starts.join(', ')}`);
        }
        assert.deepEqual(
          diffSnapshots(await snapshotMailbox(src, su), await snapshotMailbox(target, tu)),
          [],
        );

        // Nothing changed since: nothing crosses, and with CONDSTORE nothing is listed but the new end.
        const again = await runSync(endpointOf(proxy, su), endpointOf(target, tu), state, {
          propagateDeletes: true,
        });
        assert.equal(again.status, 'done');
        assert.deepEqual(
          [again.messagesCopied, again.flagsUpdated, again.deleted, again.messagesMatched],
          [0, 0, 0, 0],
        );
        if (condstore) assert.ok(!starts.includes(1), `listings from ${starts.join(', ')}`);
      } finally {
        await proxy.close();
      }
    });
  }

  test('deletions left by a pass without --propagate-deletes are found by a later delta that has it', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, corpus);
    const state = tempStatePath();
    await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    await change(source, su);
    const kept = await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    assert.equal(kept.deleted, 0);
    assert.equal(kept.messagesCopied, 10);
    const propagated = await runSync(endpointOf(source, su), endpointOf(target, tu), state, {
      propagateDeletes: true,
    });
    assert.equal(propagated.deleted, 5);
    assert.equal(propagated.messagesCopied, 0);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });

  test('a source without ESEARCH: deletions found from its plain SEARCH answer, read into ranges', async () => {
    const bare = await startDovecot({ esearch: false });
    try {
      const su = await bare.addUser();
      const tu = await target.addUser();
      await loadCorpus(bare, su, corpus);
      const proxy = await startTcpProxy('127.0.0.1', bare.port);
      try {
        const state = tempStatePath();
        await runSync(endpointOf(proxy, su), endpointOf(target, tu), state);
        await change(bare, su);
        const starts = listingStarts(proxy);
        let searches = '';
        onProxyLines(proxy, 'up', (line) => (searches += /UID SEARCH .*/.exec(line)?.[0] ?? ''));
        const delta = await runSync(endpointOf(proxy, su), endpointOf(target, tu), state, {
          propagateDeletes: true,
        });
        assert.equal(delta.status, 'done', JSON.stringify(delta.error));
        assert.deepEqual([delta.messagesCopied, delta.deleted], [10, 5]);
        assert.ok(
          starts.length > 0 && starts.every((from) => from > 1),
          `listings from ${starts.join(', ')}`,
        );
        assert.match(searches, /UID SEARCH UID 1:/);
        assert.doesNotMatch(searches, /RETURN/);
        assert.deepEqual(
          diffSnapshots(await snapshotMailbox(bare, su), await snapshotMailbox(target, tu)),
          [],
        );
      } finally {
        await proxy.close();
      }
    } finally {
      await bare.stop();
    }
  });

  test('a folder whose UIDVALIDITY changed is listed whole and matched by content, not copied again', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, corpus);
    const work = corpus.filter((m) => m.folder === 'Work');
    const proxy = await startTcpProxy('127.0.0.1', source.port);
    try {
      const state = tempStatePath();
      await runSync(endpointOf(proxy, su), endpointOf(target, tu), state);
      const client = await rawClient(source, su);
      try {
        // Deleted and made again: a new UIDVALIDITY, the same messages, and one more.
        await client.mailboxDelete('Work');
        await client.mailboxCreate('Work');
        for (const m of work) await client.append('Work', m.raw, m.flags, m.internalDate);
        await client.append('Work', message(99), [], new Date(Date.UTC(2023, 5, 1)));
      } finally {
        await client.logout();
      }
      const starts = listingStarts(proxy);
      const delta = await runSync(endpointOf(proxy, su), endpointOf(target, tu), state);
      assert.equal(delta.status, 'done', JSON.stringify(delta.error));
      const folder = delta.folders.find((f) => f.source === 'Work')!;
      assert.equal(folder.matched, work.length);
      assert.equal(folder.copied, 1);
      assert.ok(starts.includes(1), `Work listed whole: ${starts.join(', ')}`);
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
    } finally {
      await proxy.close();
    }
  });

  test('kill -9 in the middle of a delta pass, then a re-run: exactly once', async (t) => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, corpus);
    const state = tempStatePath();
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
    const toTarget = await startTcpProxy('127.0.0.1', target.port);
    const args = ['sync', ...cliArgs(source, su, { url: toTarget.url } as DovecotServer, tu)];
    args.push('--state', state, '--batch-messages', '25', '--json');
    try {
      const first = await runCli(args, env);
      assert.equal(first.status, 0, first.stderr);
      const client = await rawClient(source, su);
      try {
        for (let i = 0; i < 300; i++)
          await client.append(
            'INBOX',
            message(1000 + i),
            i % 2 ? ['\\Seen'] : [],
            new Date(Date.UTC(2024, 0, 1, 0, i)),
          );
        await client.mailboxOpen('INBOX');
        await client.messageFlagsAdd('30:130', ['$Label1'], { uid: true });
      } finally {
        await client.logout();
      }
      // About a third of the new messages' bytes: several batches landed, one under way.
      const killed = await runCli(args, env, (kill) =>
        toTarget.onBytes('up', toTarget.bytes.up + 70_000, kill),
      );
      assert.equal(killed.signal, 'SIGKILL', `${killed.stdout}${killed.stderr}`);
      const resumed = await runCli(args, env);
      assert.equal(resumed.status, 0, resumed.stderr);
      const report = JSON.parse(resumed.stdout) as { messagesCopied: number; messagesMatched: number };
      t.diagnostic(
        `re-run: ${report.messagesCopied} copied, ${report.messagesMatched} found on the target by content`,
      );
      assert.ok(
        report.messagesCopied > 0 && report.messagesCopied < 300,
        `${report.messagesCopied} copied by the re-run`,
      );
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
    } finally {
      await toTarget.close();
    }
  });
});
