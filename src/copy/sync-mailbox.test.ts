import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { endpointOf, rawClient, runSync, tempStatePath, toCyrus } from '../testing/sync-fixture.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';
import { silentLogger } from '../log/logger.js';
import { openSqlite } from '../state/sqlite/open-sqlite.js';
import { SyncCheckpoints } from '../state/sync-checkpoints.js';
import { DEFAULT_FOLDER_SYNC, syncMailbox } from './sync-mailbox.js';
import { verifyMailbox } from './verify.js';
import { WireStore } from '../mailstore/imap/wire-store.js';
import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

const message = (subject: string, body = 'hello'): Buffer =>
  Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);

/** What a pass opened and asked, as the counting pass below sees it. */
interface CountedPass {
  /** Connection pairs opened (the first, for the folder lists, included). */
  opens: number;
  /** Folders opened (their pass reported progress), sorted. */
  opened: string[];
  /** Folders asked with STATUS, both sides (servers without LIST-STATUS). */
  asked: number;
  copied: number;
  flags: number;
  deleted: number;
  /** The source's messages, as the report counts them (unopened folders: from the list). */
  messages: number;
}

/** One syncMailbox pass over real servers, counting connections, opened folders and STATUS asked. */
async function countedPass(run: {
  source: DovecotServer;
  target: DovecotServer;
  su: DovecotUser;
  tu: DovecotUser;
  db: Kysely<Database>;
  propagateDeletes?: boolean;
}): Promise<CountedPass> {
  let opens = 0;
  const opened: string[] = [];
  let asked = 0;
  const counting = async (store: Promise<WireStore>): Promise<WireStore> => {
    const real = await store;
    const folderCounts = real.folderCounts.bind(real);
    real.folderCounts = (paths) => {
      asked += paths.length;
      return folderCounts(paths);
    };
    return real;
  };
  const report = await syncMailbox({
    mailboxKey: `unopened ${run.su.user}`,
    openSource: () => {
      opens++;
      return counting(WireStore.connect(endpointOf(run.source, run.su)));
    },
    openTarget: () => counting(WireStore.connect(endpointOf(run.target, run.tu))),
    checkpoints: new SyncCheckpoints(run.db),
    folders: { renames: [], excludes: [] },
    options: { ...DEFAULT_FOLDER_SYNC, propagateDeletes: run.propagateDeletes ?? false },
    logger: silentLogger(),
    connections: 4,
    onProgress: ({ folder }) => {
      if (!opened.includes(folder)) opened.push(folder);
    },
  });
  assert.equal(report.status, 'done', JSON.stringify(report.error));
  return {
    opens,
    opened: opened.sort(),
    asked,
    copied: report.messagesCopied,
    flags: report.flagsUpdated,
    deleted: report.deleted,
    messages: report.folders.reduce((n, f) => n + f.sourceMessages, 0),
  };
}

describe('syncMailbox against real Dovecot', () => {
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

  test('copies a corpus byte-exact into a target with another delimiter and prefix; a re-run copies nothing', async () => {
    const su = await source.addUser();
    const tu = await cyrus.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 11, messages: 400 }));
    const state = tempStatePath();
    const first = await runSync(endpointOf(source, su), endpointOf(cyrus, tu), state);
    assert.equal(first.status, 'done', JSON.stringify(first.error));
    assert.equal(first.messagesCopied, 400);
    const diff = diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(cyrus, tu), toCyrus);
    assert.deepEqual(diff, []);

    const second = await runSync(endpointOf(source, su), endpointOf(cyrus, tu), state);
    assert.equal(second.status, 'done');
    assert.equal(second.messagesCopied, 0);
    assert.equal(second.flagsUpdated, 0);

    const verified = await verifyMailbox(
      () => WireStore.connect(endpointOf(source, su)),
      () => WireStore.connect(endpointOf(cyrus, tu)),
      { renames: [], excludes: [] },
      true,
    );
    assert.equal(
      verified.identical,
      true,
      JSON.stringify(verified.folders.filter((f) => f.differences.length)),
    );
  });

  for (const condstore of [true, false]) {
    test(`a delta pass copies only what is new and brings flag changes across (CONDSTORE ${condstore ? 'on' : 'off'})`, async () => {
      const src = condstore ? source : await startDovecot({ condstore: false });
      try {
        const su = await src.addUser();
        const tu = await target.addUser();
        await loadCorpus(src, su, generateCorpus({ seed: 12, messages: 120 }));
        const state = tempStatePath();
        assert.equal((await runSync(endpointOf(src, su), endpointOf(target, tu), state)).status, 'done');

        const client = await rawClient(src, su);
        try {
          await client.mailboxOpen('INBOX');
          await client.messageFlagsAdd('1:3', ['\\Flagged', 'Project_Y']);
          await client.messageFlagsRemove('4', ['\\Seen']);
          await client.append('INBOX', message('new one'), ['\\Seen'], new Date('2021-03-04T05:06:07Z'));
          await client.append('Sent', message('new sent'), [], new Date('2022-01-01T00:00:00Z'));
        } finally {
          await client.logout();
        }
        const delta = await runSync(endpointOf(src, su), endpointOf(target, tu), state);
        assert.equal(delta.status, 'done');
        assert.equal(delta.messagesCopied, 2);
        assert.ok(delta.flagsUpdated >= 3, `flags updated: ${delta.flagsUpdated}`);
        assert.deepEqual(
          diffSnapshots(await snapshotMailbox(src, su), await snapshotMailbox(target, tu)),
          [],
        );
      } finally {
        if (!condstore) await src.stop();
      }
    });
  }

  test('deletions on the source reach the target only with propagateDeletes', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 13, messages: 60, folders: ['INBOX'] }));
    const state = tempStatePath();
    await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    const client = await rawClient(source, su);
    try {
      await client.mailboxOpen('INBOX');
      await client.messageDelete('1:5');
    } finally {
      await client.logout();
    }
    const kept = await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    assert.equal(kept.deleted, 0);
    const targetBefore = (await snapshotMailbox(target, tu)).get('INBOX')?.length;
    assert.equal(targetBefore, 60);
    const propagated = await runSync(endpointOf(source, su), endpointOf(target, tu), state, {
      propagateDeletes: true,
    });
    assert.equal(propagated.deleted, 5);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });

  test('special-use folders land in the target folder of the same role', async () => {
    const exchangeLike = await startDovecot({
      specialUse: { 'Sent Items': '\\Sent', 'Deleted Items': '\\Trash', Drafts: '\\Drafts' },
    });
    try {
      const su = await exchangeLike.addUser();
      const tu = await target.addUser();
      const corpus = generateCorpus({
        seed: 14,
        messages: 30,
        folders: ['INBOX', 'Sent Items', 'Deleted Items'],
      });
      await loadCorpus(exchangeLike, su, corpus);
      const report = await runSync(endpointOf(exchangeLike, su), endpointOf(target, tu), tempStatePath());
      assert.equal(report.status, 'done');
      const byTarget = Object.fromEntries(report.folders.map((f) => [f.source, f.target]));
      assert.equal(byTarget['Sent Items'], 'Sent');
      assert.equal(byTarget['Deleted Items'], 'Trash');
      const rename = (p: string): string => ({ 'Sent Items': 'Sent', 'Deleted Items': 'Trash' })[p] ?? p;
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(exchangeLike, su), await snapshotMailbox(target, tu), rename),
        [],
      );
    } finally {
      await exchangeLike.stop();
    }
  });

  test('a message the target refuses is a skipped item; everything else is copied', async () => {
    const small = await startDovecot({ maxMessageSize: 1_000_000 });
    try {
      const su = await source.addUser();
      const tu = await small.addUser();
      const corpus = generateCorpus({ seed: 15, messages: 50, folders: ['INBOX'], bigAttachments: 0 });
      corpus.push({
        folder: 'INBOX',
        raw: message('huge', 'x'.repeat(1_500_000)),
        flags: [],
        internalDate: new Date(),
      });
      await loadCorpus(source, su, corpus);
      const report = await runSync(endpointOf(source, su), endpointOf(small, tu), tempStatePath());
      assert.equal(report.status, 'done-with-skipped', JSON.stringify(report.error));
      assert.equal(report.skipped.length, 1);
      assert.equal(report.messagesCopied, 50);
      const item = report.skipped[0]!;
      assert.equal(item.folder, 'INBOX');
      assert.ok(item.size > 1_500_000);
      assert.match(item.reason, /size|large|limit/i);
    } finally {
      await small.stop();
    }
  });

  test('a UIDVALIDITY change on the source, and a lost state file, duplicate nothing', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    const corpus = generateCorpus({ seed: 16, messages: 80, folders: ['INBOX', 'Work'] });
    await loadCorpus(source, su, corpus);
    const state = tempStatePath();
    await runSync(endpointOf(source, su), endpointOf(target, tu), state);

    // Recreate 'Work' on the source with the same messages: new UIDVALIDITY, new UIDs.
    const client = await rawClient(source, su);
    try {
      await client.mailboxDelete('Work');
      await client.mailboxCreate('Work');
      for (const m of corpus.filter((c) => c.folder === 'Work'))
        await client.append('Work', m.raw, m.flags, m.internalDate);
    } finally {
      await client.logout();
    }
    const again = await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    assert.equal(again.messagesCopied, 0);
    assert.equal(again.messagesMatched, corpus.filter((c) => c.folder === 'Work').length);

    rmSync(state);
    const fresh = await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    assert.equal(fresh.messagesCopied, 0);
    assert.equal(fresh.messagesMatched, 80);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });

  test('a UIDVALIDITY change on the target (folder recreated) is recopied once, without duplicates', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 18, messages: 40, folders: ['INBOX', 'Work'] }));
    const state = tempStatePath();
    await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    const client = await rawClient(target, tu);
    let kept: number;
    try {
      // The target's Work is deleted and recreated holding 3 of its messages: new UIDVALIDITY.
      await client.mailboxOpen('Work');
      const saved = [];
      for await (const m of client.fetch('1:3', { source: true, flags: true, internalDate: true }))
        saved.push(m);
      await client.mailboxClose();
      await client.mailboxDelete('Work');
      await client.mailboxCreate('Work');
      for (const m of saved) await client.append('Work', m.source!, [...(m.flags ?? [])], m.internalDate);
      kept = saved.length;
    } finally {
      await client.logout();
    }
    const again = await runSync(endpointOf(source, su), endpointOf(target, tu), state);
    const work = again.folders.find((f) => f.source === 'Work')!;
    assert.equal(work.matched, kept);
    assert.equal(work.copied, work.sourceMessages - kept);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  });

  test('the server kicking the user mid-copy (doveadm kick) is survived without duplicates', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(
      source,
      su,
      generateCorpus({ seed: 19, messages: 300, folders: ['INBOX'], bigAttachments: 0 }),
    );
    // The proxy only watches: once 1 MB has been read, the source server itself throws the user out.
    const watch = await startTcpProxy('127.0.0.1', source.port);
    try {
      watch.onBytes('down', 1_000_000, () => void source.kick(su.user));
      const report = await runSync(endpointOf(watch, su), endpointOf(target, tu), tempStatePath(), {
        batchMessages: 1000,
      });
      assert.equal(report.status, 'done', JSON.stringify(report.error));
      assert.ok(watch.connections >= 2, 'reconnected after the kick');
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
    } finally {
      await watch.close();
    }
  });

  test('connections dropped mid-read and mid-APPEND are retried and resumed without duplicates', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(
      source,
      su,
      generateCorpus({ seed: 17, messages: 300, folders: ['INBOX'], bigAttachments: 0 }),
    );
    const toSource = await startTcpProxy('127.0.0.1', source.port);
    const toTarget = await startTcpProxy('127.0.0.1', target.port);
    try {
      toSource.onBytes('down', 400_000, () => toSource.dropAll());
      // One batch for the whole folder: the drop lands between APPENDs and checkpoint. Dovecot
      // offers MULTIAPPEND, which appends a command's messages all or none: the target connection
      // is cut the moment the first command's OK comes back, before tranche sees it, so those
      // messages are on the target and not in the checkpoint, whatever the machine's speed.
      let seen = '';
      let cut = false;
      toTarget.tap('down', (chunk) => {
        if (cut) return;
        seen = (seen + chunk.toString('latin1')).slice(-200);
        if (/ OK \[APPENDUID /.test(seen)) {
          cut = true;
          toTarget.dropAll();
        }
      });
      const report = await runSync(endpointOf(toSource, su), endpointOf(toTarget, tu), tempStatePath(), {
        batchMessages: 1000,
      });
      assert.equal(report.status, 'done', JSON.stringify(report.error));
      assert.ok(toSource.connections >= 2 && toTarget.connections >= 2, 'both proxies saw a reconnect');
      assert.ok(report.messagesMatched > 0, 'the interrupted batch was found on the target by content');
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
    } finally {
      await toSource.close();
      await toTarget.close();
    }
  });

  test('the largest folder starts first (counts from LIST-STATUS); a source without counts starts with INBOX', async () => {
    const bare = await startDovecot({ listStatus: false });
    try {
      for (const [server, first] of [
        [source, 'Archive'],
        [bare, 'INBOX'],
      ] as const) {
        const su = await server.addUser();
        const client = await rawClient(server, su);
        try {
          await client.append('INBOX', message('one'));
          for (let i = 0; i < 4; i++) await client.append('Sent', message(`sent ${i}`));
          for (let i = 0; i < 12; i++) await client.append('Archive', message(`old ${i}`));
        } finally {
          await client.logout();
        }
        const tu = await target.addUser();
        const db = await openSqlite(tempStatePath());
        const started: string[] = [];
        try {
          // One connection: folders start one after another, in the order chosen (the report lists them as listed).
          const report = await syncMailbox({
            mailboxKey: `order ${su.user}`,
            openSource: () => WireStore.connect(endpointOf(server, su)),
            openTarget: () => WireStore.connect(endpointOf(target, tu)),
            checkpoints: new SyncCheckpoints(db),
            folders: { renames: [], excludes: [] },
            options: DEFAULT_FOLDER_SYNC,
            logger: silentLogger(),
            connections: 1,
            onProgress: ({ folder }) => {
              if (!started.includes(folder)) started.push(folder);
            },
          });
          assert.equal(report.status, 'done', JSON.stringify(report.error));
          assert.equal(report.messagesCopied, 17);
        } finally {
          await db.destroy();
        }
        assert.equal(started[0], first, started.join(', '));
        if (first === 'Archive') assert.deepEqual(started.slice(0, 3), ['Archive', 'Sent', 'INBOX']);
      }
    } finally {
      await bare.stop();
    }
  });

  test('folders the lists show unchanged since the last pass are not opened; the others get a connection pair each (LIST-STATUS, else STATUS asked; not without CONDSTORE)', async () => {
    const bareSource = await startDovecot({ listStatus: false });
    const bareTarget = await startDovecot({ listStatus: false });
    const noModseq = await startDovecot({ condstore: false });
    try {
      for (const { server, to, kind } of [
        { server: source, to: target, kind: 'listed' },
        { server: bareSource, to: bareTarget, kind: 'asked' },
        { server: noModseq, to: target, kind: 'no condstore' },
      ] as const) {
        // Without CONDSTORE a flag changed at the source cannot be seen unopened: every folder is opened.
        const counted = kind !== 'no condstore';
        const su = await server.addUser();
        const client = await rawClient(server, su);
        try {
          for (const folder of ['INBOX', 'Sent', 'Archive', 'Drafts', 'Junk'])
            await client.append(folder, message(`in ${folder}`));
        } finally {
          await client.logout();
        }
        const tu = await to.addUser();
        const db = await openSqlite(tempStatePath());
        try {
          const pass = (): Promise<CountedPass> => countedPass({ source: server, target: to, su, tu, db });
          const all = ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'];
          // A first copy asks no STATUS: there is no checkpoint it could match.
          assert.deepEqual(
            await pass(),
            { opens: 4, opened: all, asked: 0, copied: 5, flags: 0, deleted: 0, messages: 5 },
            `${kind}: first pass`,
          );
          // Without LIST-STATUS each side is asked for the six folders a finished pass left.
          const asked = kind === 'asked' ? 12 : 0;
          // The first pass's own writes to the target are no change: the next pass opens nothing.
          const quiet = counted ? { opens: 1, opened: [], asked } : { opens: 4, opened: all, asked };
          assert.deepEqual(
            await pass(),
            { ...quiet, copied: 0, flags: 0, deleted: 0, messages: 5 },
            `${kind}: nothing changed`,
          );
          const later = await rawClient(server, su);
          try {
            await later.append('Sent', message('sent later'));
            await later.mailboxOpen('Archive');
            await later.messageFlagsAdd('1', ['\\Flagged']);
          } finally {
            await later.logout();
          }
          const changed = counted
            ? { opens: 2, opened: ['Archive', 'Sent'], asked }
            : { opens: 4, opened: all, asked };
          assert.deepEqual(
            await pass(),
            { ...changed, copied: 1, flags: 1, deleted: 0, messages: 6 },
            `${kind}: two source folders changed`,
          );
          // Someone else's message in a target folder is not a pass's to undo: nothing is opened.
          const onTarget = await rawClient(to, tu);
          try {
            await onTarget.append('Junk', message('written on the target'));
            // A target folder made anew (another UIDVALIDITY): opened, its mail copied again.
            await onTarget.mailboxDelete('Drafts');
            await onTarget.mailboxCreate('Drafts');
          } finally {
            await onTarget.logout();
          }
          const drafts = counted ? { opens: 1, opened: ['Drafts'], asked } : { opens: 4, opened: all, asked };
          assert.deepEqual(
            await pass(),
            { ...drafts, copied: 1, flags: 0, deleted: 0, messages: 6 },
            `${kind}: a target folder made anew`,
          );
          assert.deepEqual(
            await pass(),
            { ...quiet, copied: 0, flags: 0, deleted: 0, messages: 6 },
            `${kind}: nothing changed again`,
          );
        } finally {
          await db.destroy();
        }
      }
    } finally {
      await Promise.all([bareSource.stop(), bareTarget.stop(), noModseq.stop()]);
    }
  });

  test('with --propagate-deletes too, unchanged folders are not opened; a folder with a message expunged is, and the deletion crosses (LIST-STATUS, else STATUS asked)', async () => {
    const bareSource = await startDovecot({ listStatus: false });
    const bareTarget = await startDovecot({ listStatus: false });
    try {
      for (const { server, to, kind } of [
        { server: source, to: target, kind: 'listed' },
        { server: bareSource, to: bareTarget, kind: 'asked' },
      ] as const) {
        const su = await server.addUser();
        const client = await rawClient(server, su);
        try {
          for (const folder of ['INBOX', 'Sent', 'Archive']) {
            await client.append(folder, message(`first in ${folder}`));
            await client.append(folder, message(`second in ${folder}`));
          }
        } finally {
          await client.logout();
        }
        const expunge = async (folder: string): Promise<void> => {
          const c = await rawClient(server, su);
          try {
            await c.mailboxOpen(folder);
            await c.messageDelete('1', { uid: true });
          } finally {
            await c.logout();
          }
        };
        const tu = await to.addUser();
        const db = await openSqlite(tempStatePath());
        try {
          const pass = (propagateDeletes: boolean): Promise<CountedPass> =>
            countedPass({ source: server, target: to, su, tu, db, propagateDeletes });
          const all = ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'];
          const asked = kind === 'asked' ? 12 : 0;
          const quiet = { opens: 1, opened: [], asked, copied: 0, flags: 0, deleted: 0 };
          assert.deepEqual(
            await pass(true),
            { opens: 4, opened: all, asked: 0, copied: 6, flags: 0, deleted: 0, messages: 6 },
            `${kind}: first pass`,
          );
          assert.deepEqual(await pass(true), { ...quiet, messages: 6 }, `${kind}: nothing changed`);
          // An expunge and nothing else: the count falls, UIDNEXT stays. One folder: no second pair.
          await expunge('Archive');
          assert.deepEqual(
            await pass(true),
            { opens: 1, opened: ['Archive'], asked, copied: 0, flags: 0, deleted: 1, messages: 5 },
            `${kind}: a message expunged`,
          );
          assert.deepEqual(await pass(true), { ...quiet, messages: 5 }, `${kind}: nothing changed again`);
          // A pass without --propagate-deletes leaves the deletion where it is. Dovecot moves
          // HIGHESTMODSEQ on an expunge, so that pass opens Sent, and its checkpoint no longer says
          // Sent's deletions are across: the next pass with them opens Sent without asking.
          await expunge('Sent');
          const keeping = await pass(false);
          assert.deepEqual(
            [keeping.opened, keeping.deleted],
            [['Sent'], 0],
            `${kind}: a pass that keeps deletions`,
          );
          assert.deepEqual(
            await pass(true),
            {
              opens: 1,
              opened: ['Sent'],
              asked: kind === 'asked' ? 10 : 0,
              copied: 0,
              flags: 0,
              deleted: 1,
              messages: 4,
            },
            `${kind}: the deletion left behind crosses`,
          );
          assert.deepEqual(await pass(true), { ...quiet, messages: 4 }, `${kind}: and nothing after`);
          assert.deepEqual(
            diffSnapshots(await snapshotMailbox(server, su), await snapshotMailbox(to, tu)),
            [],
            `${kind}: source and target the same`,
          );
        } finally {
          await db.destroy();
        }
      }
    } finally {
      await Promise.all([bareSource.stop(), bareTarget.stop()]);
    }
  });
});
