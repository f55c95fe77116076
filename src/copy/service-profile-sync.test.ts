import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SERVICE_PROFILES } from '../mailstore/service-profile.js';
import { WireStore } from '../mailstore/imap/wire-store.js';
import { startClosedFlagsFront } from '../testing/closed-flags-front.js';
import { generateCorpus, loadCorpus, type CorpusMessage } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox, type Snapshot } from '../testing/snapshot.js';
import { endpointOf, runSync, tempStatePath } from '../testing/sync-fixture.js';
import { knownToVerify } from './sync-report.js';
import { keepsFlag, targetRules } from './target-rules.js';
import { verifyMailbox } from './verify.js';

const message = (subject: string, body: string): Buffer =>
  Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);

/** A corpus whose messages carry \Flagged, \Seen and keywords of their own in a pattern. */
function flaggedCorpus(seed: number): CorpusMessage[] {
  return generateCorpus({ seed, messages: 60, folders: ['INBOX', 'Work'], bigAttachments: 0 }).map(
    (m, i) => ({
      ...m,
      flags: [
        ...(i % 3 === 0 ? ['\\Flagged'] : []),
        ...(i % 2 === 0 ? ['\\Seen'] : []),
        ...(i % 4 === 0 ? ['$Label1'] : []),
        ...(i % 5 === 0 ? ['Project'] : []),
      ],
    }),
  );
}

/** A snapshot with the named keywords taken off every message: what a target that keeps none of them holds. */
function without(snapshot: Snapshot, keywords: string[]): Snapshot {
  const drop = new Set(keywords.map((k) => k.toLowerCase()));
  return new Map(
    [...snapshot].map(([folder, messages]) => [
      folder,
      messages.map((m) => ({ ...m, flags: m.flags.filter((f) => !drop.has(f.toLowerCase())) })),
    ]),
  );
}

const CLOSED = 'the target keeps no keywords of its own (no \\* in its PERMANENTFLAGS)';
const DROPPED = 'the target dropped them when given with APPEND';
const messages = (n: number): string => `${n} message${n === 1 ? '' : 's'}`;

/** The folders with messages carrying any of these keywords, sorted. */
function foldersWith(corpus: CorpusMessage[], keywords: string[]): string[] {
  return [
    ...new Set(corpus.filter((m) => m.flags.some((f) => keywords.includes(f))).map((m) => m.folder)),
  ].sort();
}

/** The one warning a folder gets: how many messages carried the keywords, each keyword's count, and why. */
function expectedReason(corpus: CorpusMessage[], folder: string, keywords: string[], why: string): string {
  const inFolder = corpus.filter((m) => m.folder === folder);
  const all = inFolder.filter((m) => m.flags.some((f) => keywords.includes(f))).length;
  const each = keywords.map((k) => `${k} (${messages(inFolder.filter((m) => m.flags.includes(k)).length)})`);
  return `${messages(all)} copied without keywords the target does not keep: ${each.join(', ')}; ${why}`;
}

describe('service profiles against real Dovecot', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  before(async () => {
    [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test('exchange-online: a closed flag set and \\Flagged dropped from APPEND: keywords reported once per folder, \\Flagged set again, byte-exact, exactly once', async () => {
    // Exchange Online's habits in front of a real Dovecot: PERMANENTFLAGS without \*, \Flagged taken out of every APPEND.
    const front = await startClosedFlagsFront('127.0.0.1', target.port, {
      closedFlags: true,
      dropOnAppend: ['\\Flagged'],
    });
    try {
      const su = await source.addUser();
      const tu = await target.addUser();
      const corpus = flaggedCorpus(41);
      await loadCorpus(source, su, corpus);
      const state = tempStatePath();
      const rules = targetRules(SERVICE_PROFILES['exchange-online']);
      const report = await runSync(endpointOf(source, su), endpointOf(front, tu), state, {
        target: rules,
        batchMessages: 7,
      });
      assert.equal(report.status, 'done', JSON.stringify(report.error));
      assert.equal(report.messagesCopied, 60);
      assert.ok(front.dropped > 0, 'the front took \\Flagged out of APPENDs');
      const flagged = corpus.filter((m) => m.flags.includes('\\Flagged')).length;
      assert.equal(report.flagsRestored, flagged);
      // One warning per folder, naming the keywords and how many messages carried them.
      const items = report.altered.filter((i) => i.kind === 'keywords-not-kept');
      assert.deepEqual(items.map((i) => i.folder).sort(), foldersWith(corpus, ['$Label1', 'Project']));
      for (const item of items) {
        const kept = ['$Label1', 'Project'].filter((k) =>
          corpus.some((m) => m.folder === item.folder && m.flags.includes(k)),
        );
        assert.equal(item.reason, expectedReason(corpus, item.folder, kept, CLOSED));
        assert.deepEqual(item.flags, kept);
      }
      // Byte-exact, dates and flags (\Flagged included) as the source's, less the keywords.
      const expected = without(await snapshotMailbox(source, su), ['$Label1', 'Project']);
      assert.deepEqual(diffSnapshots(expected, await snapshotMailbox(target, tu)), []);
      const verify = await verifyMailbox(
        () => WireStore.connect(endpointOf(source, su)),
        () => WireStore.connect(endpointOf(front, tu)),
        { renames: [], excludes: [] },
        true,
        knownToVerify(report),
      );
      assert.ok(verify.identical, JSON.stringify(verify.folders.flatMap((f) => f.differences)));
      // tranche verify --target-profile exchange-online, without the sync's report.
      const standalone = await verifyMailbox(
        () => WireStore.connect(endpointOf(source, su)),
        () => WireStore.connect(endpointOf(front, tu)),
        { renames: [], excludes: [] },
        true,
        [],
        keepsFlag(rules),
      );
      assert.ok(standalone.identical, JSON.stringify(standalone.folders.flatMap((f) => f.differences)));

      // Again: nothing copied twice, no flag to bring, the checkpoint remembers the keywords.
      const again = await runSync(endpointOf(source, su), endpointOf(front, tu), state, { target: rules });
      assert.equal(again.messagesCopied, 0);
      assert.equal(again.messagesMatched, 0);
      assert.equal(again.flagsUpdated, 0);
      const inbox = items.find((i) => i.folder === 'INBOX')!;
      assert.deepEqual(again.folders.find((f) => f.source === 'INBOX')?.keywordsNotKept, inbox.flags);
      // The warning stays on record, naming what earlier passes left off (no message counted twice).
      assert.deepEqual(
        again.altered.map((i) => [i.folder, i.reason]).sort(),
        items
          .map((i) => [
            i.folder,
            `messages copied by earlier passes are without keywords the target does not keep: ${i.flags!.join(', ')}`,
          ])
          .sort(),
      );
      assert.deepEqual(diffSnapshots(expected, await snapshotMailbox(target, tu)), []);
    } finally {
      await front.close();
    }
  });

  test('a target that announces \\* but drops a keyword and \\Flagged from APPEND: the keyword reported once per folder and not given again; \\Flagged set again', async () => {
    const front = await startClosedFlagsFront('127.0.0.1', target.port, {
      dropOnAppend: ['$Label1', '\\Flagged'],
    });
    try {
      const su = await source.addUser();
      const tu = await target.addUser();
      const corpus = flaggedCorpus(42);
      await loadCorpus(source, su, corpus);
      const report = await runSync(endpointOf(source, su), endpointOf(front, tu), tempStatePath(), {
        batchMessages: 5,
      });
      assert.equal(report.status, 'done', JSON.stringify(report.error));
      const items = report.altered.filter((i) => i.kind === 'keywords-not-kept');
      assert.deepEqual(items.map((i) => i.folder).sort(), foldersWith(corpus, ['$Label1']));
      for (const item of items) {
        assert.deepEqual(item.flags, ['$Label1']);
        assert.equal(item.reason, expectedReason(corpus, item.folder, ['$Label1'], DROPPED));
      }
      const flagged = corpus.filter((m) => m.flags.includes('\\Flagged')).length;
      assert.equal(report.flagsRestored, flagged);
      // Once seen dropped, $Label1 is not given again in that folder: fewer were taken out than carried it.
      const labelled = corpus.filter((m) => m.flags.includes('$Label1')).length;
      assert.ok(front.dropped - flagged < labelled, `${front.dropped - flagged} of ${labelled} sent`);
      const expected = without(await snapshotMailbox(source, su), ['$Label1']);
      assert.deepEqual(diffSnapshots(expected, await snapshotMailbox(target, tu)), []);
    } finally {
      await front.close();
    }
  });

  test('APPENDLIMIT on a real Dovecot: a larger message is a skipped item before it is sent; the server wins over the profile', async () => {
    // Dovecot announces APPENDLIMIT=200000 but does not enforce it: a message sent would land.
    const limited = await startDovecot({ appendLimit: 200_000 });
    try {
      const su = await source.addUser();
      const tu = await limited.addUser();
      const corpus = generateCorpus({ seed: 43, messages: 20, folders: ['INBOX'], bigAttachments: 0 });
      corpus.push({
        folder: 'INBOX',
        raw: message('big', 'y'.repeat(300_000)),
        flags: [],
        internalDate: new Date(),
      });
      await loadCorpus(source, su, corpus);
      // Gmail's profile says 35 MB; the server's 200,000 bytes win.
      const report = await runSync(endpointOf(source, su), endpointOf(limited, tu), tempStatePath(), {
        target: targetRules(SERVICE_PROFILES.gmail),
      });
      assert.equal(report.status, 'done-with-skipped', JSON.stringify(report.error));
      assert.equal(report.messagesCopied, 20);
      assert.equal(report.skipped.length, 1);
      const item = report.skipped[0]!;
      assert.equal(item.kind, 'too-large-for-target');
      assert.match(item.reason, /larger than the target's APPENDLIMIT of 200000 bytes: not sent/);
      const sent = await snapshotMailbox(source, su);
      sent.set(
        'INBOX',
        sent.get('INBOX')!.filter((m) => m !== undefined),
      );
      const there = await snapshotMailbox(limited, tu);
      assert.equal(there.get('INBOX')?.length, 20);
    } finally {
      await limited.stop();
    }
  });

  test("a server without APPENDLIMIT: the endpoint's (or profile's) limit applies; a per-folder STATUS APPENDLIMIT wins over the global one", async () => {
    const su = await source.addUser();
    const corpus = generateCorpus({ seed: 44, messages: 10, folders: ['INBOX', 'Work'], bigAttachments: 0 });
    corpus.push(
      { folder: 'INBOX', raw: message('mid inbox', 'z'.repeat(60_000)), flags: [], internalDate: new Date() },
      { folder: 'Work', raw: message('mid work', 'w'.repeat(60_000)), flags: [], internalDate: new Date() },
    );
    await loadCorpus(source, su, corpus);
    // No announcement: the default given (an endpoint's max message size) applies.
    const tu = await target.addUser();
    const plain = await runSync(endpointOf(source, su), endpointOf(target, tu), tempStatePath(), {
      target: targetRules(undefined, 50_000, 'endpoint m365'),
    });
    const over = corpus.filter((m) => m.raw.length > 50_000).length;
    assert.ok(over >= 2);
    assert.equal(plain.skipped.length, over);
    for (const item of plain.skipped)
      assert.match(item.reason, /larger than endpoint m365's max message size of 50000 bytes/);

    // Announced per folder (RFC 7889 STATUS APPENDLIMIT): Work takes 50,000 bytes, INBOX no limit (NIL).
    const front = await startClosedFlagsFront('127.0.0.1', target.port, {
      appendLimit: { perFolder: { Work: 50_000, INBOX: 'NIL' } },
    });
    try {
      const tu2 = await target.addUser();
      const report = await runSync(endpointOf(source, su), endpointOf(front, tu2), tempStatePath(), {
        target: targetRules(undefined, 10_000, 'endpoint m365'),
      });
      assert.ok(front.limitAnswers >= 2);
      const overInWork = corpus.filter((m) => m.folder === 'Work' && m.raw.length > 50_000).length;
      assert.equal(report.skipped.length, overInWork);
      for (const item of report.skipped) {
        assert.equal(item.folder, 'Work');
        assert.match(item.reason, /the target's APPENDLIMIT of 50000 bytes/);
      }
      assert.equal(report.messagesCopied, corpus.length - overInWork);
    } finally {
      await front.close();
    }
  });
});
