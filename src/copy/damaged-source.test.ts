import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXIT } from '../cli/exit-codes.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { damageMessage, lockFolder, messageSha256, type MessageDamage } from '../testing/maildir-damage.js';
import { diffSnapshots, snapshotMailbox, type Snapshot } from '../testing/snapshot.js';
import { startRefusingFront } from '../testing/refusing-front.js';
import { cliArgs, endpointOf, runCli, runSync, tempStatePath } from '../testing/sync-fixture.js';
import type { SkippedItem, SyncReport } from './sync-report.js';

/** The damage of the issue: messages broken on disk after the server indexed them, a folder it may not read. */
const DAMAGE: { folder: string; uid: number; damage: MessageDamage }[] = [
  { folder: 'Sent', uid: 5, damage: 'truncate' },
  { folder: 'Archive', uid: 3, damage: 'overwrite' },
  // A deleted file is gone from the source (Dovecot drops it when it rescans the folder): no item.
  { folder: 'INBOX', uid: 2, damage: 'delete' },
];
const LOCKED = 'Locked';

/** A mailbox damaged on disk, what its target should hold, and how to repair it. */
interface Damaged {
  from: DovecotUser;
  to: DovecotUser;
  /** The source as it was before the damage. */
  whole: Snapshot;
  /** What the target should hold: everything but the damaged messages and the locked folder. */
  readable: Snapshot;
  readableMessages: number;
  repair: () => Promise<void>;
}

function without(snapshot: Snapshot, folder: string, sha256: string): void {
  const messages = snapshot.get(folder)!;
  const index = messages.findIndex((m) => m.sha256 === sha256);
  assert.ok(index >= 0, `${folder}: ${sha256} not in the snapshot`);
  messages.splice(index, 1);
}

const kinds = (items: SkippedItem[]): string[][] =>
  items.map((i) => [i.kind, i.folder, String(i.uid)]).sort((a, b) => a.join().localeCompare(b.join()));

const EXPECTED_ITEMS = [
  ['folder-unreadable-at-source', LOCKED, '0'],
  ['unreadable-at-source', 'Archive', '3'],
  ['unreadable-at-source', 'Sent', '5'],
];

describe('a damaged message or folder costs itself, not the mailbox', () => {
  let source: DovecotServer;
  let target: DovecotServer;
  before(async () => {
    [source, target] = await Promise.all([startDovecot({ mailFormat: 'maildir-fs' }), startDovecot()]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  async function damagedMailbox(seed: number): Promise<Damaged> {
    const from = await source.addUser();
    const to = await target.addUser();
    const corpus = generateCorpus({
      seed,
      messages: 160,
      folders: ['INBOX', 'Sent', 'Archive', LOCKED, 'Work'],
      bigAttachments: 0,
    });
    await loadCorpus(source, from, corpus);
    const whole = await snapshotMailbox(source, from);
    const readable: Snapshot = new Map([...whole].map(([f, m]) => [f, [...m]]));
    const repairs: (() => Promise<void>)[] = [];
    for (const { folder, uid, damage } of DAMAGE) {
      assert.ok((whole.get(folder)?.length ?? 0) > uid + 2, `${folder} is too small for the test`);
      without(readable, folder, await messageSha256(source, from, folder, uid));
      repairs.push(await damageMessage(source, from, folder, uid, damage));
    }
    readable.delete(LOCKED);
    repairs.push(await lockFolder(source, from, LOCKED));
    const readableMessages = [...readable.values()].reduce((n, m) => n + m.length, 0);
    return {
      from,
      to,
      whole,
      readable,
      readableMessages,
      repair: async () => {
        for (const repair of repairs) await repair();
      },
    };
  }

  for (const connections of [1, 4]) {
    test(`--connections ${connections}: every readable message copied, each damaged item named; a re-run lists the same; after repair all is copied`, async () => {
      const box = await damagedMailbox(40 + connections);
      const state = tempStatePath();
      const sync = (): Promise<SyncReport> =>
        runSync(endpointOf(source, box.from), endpointOf(target, box.to), state, {
          connections,
          batchMessages: 7,
        });
      const first = await sync();
      assert.equal(first.status, 'done-with-skipped', JSON.stringify(first.error));
      assert.deepEqual(kinds(first.skipped), EXPECTED_ITEMS);
      assert.deepEqual(first.failedFolders, []);
      assert.equal(first.messagesCopied, box.readableMessages);
      const sent = first.skipped.find((i) => i.folder === 'Sent')!;
      assert.ok(sent.size > 0, 'the size the server claims');
      assert.match(sent.reason, /closed|read/i);
      assert.match(first.skipped.find((i) => i.folder === LOCKED)!.reason, /EXAMINE Locked/);
      assert.ok(
        first.folders.some((f) => f.source === LOCKED),
        'the skipped folder is in the report',
      );
      assert.deepEqual(diffSnapshots(box.readable, await snapshotMailbox(target, box.to)), []);

      const again = await sync();
      assert.equal(again.status, 'done-with-skipped');
      assert.equal(again.messagesCopied, 0);
      assert.deepEqual(kinds(again.skipped), EXPECTED_ITEMS);

      await box.repair();
      const repaired = await sync();
      assert.equal(repaired.status, 'done', JSON.stringify(repaired.skipped));
      assert.deepEqual(repaired.skipped, []);
      // The restored file comes back as a new message of INBOX.
      assert.equal(repaired.messagesCopied, DAMAGE.length + (box.whole.get(LOCKED)?.length ?? 0));
      // Compared with the source as it is now: the server may have re-read what it cached of the repaired files.
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, box.from), await snapshotMailbox(target, box.to)),
        [],
      );
    });
  }

  test('tranche sync and verify --deep on the damaged mailbox: exit 1, everything named, well under a minute', async () => {
    const box = await damagedMailbox(47);
    const env = { TRANCHE_SOURCE_PASSWORD: box.from.password, TRANCHE_TARGET_PASSWORD: box.to.password };
    const args = [...cliArgs(source, box.from, target, box.to), '--state', tempStatePath()];
    const sync = await runCli(['sync', ...args, '--json'], env);
    assert.equal(sync.status, EXIT.partial, sync.stderr);
    const report = JSON.parse(sync.stdout) as SyncReport;
    assert.deepEqual(kinds(report.skipped), EXPECTED_ITEMS);
    assert.equal(report.messagesCopied, box.readableMessages);
    assert.ok(report.durationMs < 30_000, `took ${report.durationMs} ms`);
    const text = await runCli(['sync', ...args], env);
    assert.equal(text.status, EXIT.partial, text.stderr);
    assert.match(text.stdout, /done with 3 skipped items/);
    assert.match(text.stdout, /Sent UID 5 \(.*\) unreadable-at-source: /);
    assert.match(text.stdout, /Locked \(folder\) folder-unreadable-at-source: .*EXAMINE Locked: /);

    const verify = await runCli(['verify', ...cliArgs(source, box.from, target, box.to), '--deep'], env);
    assert.equal(verify.status, EXIT.partial, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /cannot read Locked at the source: /);
    assert.match(verify.stdout, /cannot read Sent at the source: /);
    assert.match(verify.stdout, /cannot read Archive at the source: /);
    assert.match(verify.stdout, /: 3 folder\(s\) differ/, 'the readable folders are compared, and identical');
  });

  test('a message the target stores changed is an altered-by-target warning, counted as copied', async () => {
    // A scripted front stands for a target that normalises what it stores (no Dovecot here alters bytes).
    const front = await startRefusingFront('127.0.0.1', target.port, {
      command: /^APPEND /i,
      refuse: [],
      reply: '',
      alter: (literal) =>
        literal.includes('NORMALISE-ME') ? Buffer.concat([literal, Buffer.from('\r\n\r\n')]) : literal,
    });
    try {
      const from = await target.addUser();
      const to = await target.addUser();
      const corpus = generateCorpus({ seed: 50, messages: 10, folders: ['INBOX'], bigAttachments: 0 });
      corpus.push({
        folder: 'INBOX',
        raw: Buffer.from('From: a@example.org\r\nSubject: odd\r\n\r\nNORMALISE-ME\r\n'),
        flags: [],
        internalDate: new Date('2024-01-01T00:00:00Z'),
      });
      await loadCorpus(target, from, corpus);
      const report = await runSync(endpointOf(target, from), endpointOf(front, to), tempStatePath());
      assert.equal(report.status, 'done', JSON.stringify(report.error));
      assert.equal(report.messagesCopied, 11);
      assert.deepEqual(kinds(report.altered), [['altered-by-target', 'INBOX', '11']]);
      assert.match(report.altered[0]!.reason, /stored it with (\d+) bytes \((\d+) at the source\)/);
      const [, stored, original] = /with (\d+) bytes \((\d+)/.exec(report.altered[0]!.reason)!;
      assert.equal(Number(stored) - Number(original), 4);
    } finally {
      await front.close();
    }
  });

  test('a source folder that is not a valid mbox is a skipped folder; the others are copied', async () => {
    const mbox = await startDovecot({ mailFormat: 'mbox' });
    try {
      const from = await mbox.addUser();
      const to = await target.addUser();
      await loadCorpus(
        mbox,
        from,
        generateCorpus({
          seed: 48,
          messages: 40,
          folders: ['INBOX', 'Work', 'notes.txt'],
          bigAttachments: 0,
        }),
      );
      const whole = await snapshotMailbox(mbox, from);
      await writeFile(path.join(mbox.mailHome(from.user), 'mail', 'notes.txt'), 'shopping list\nmilk\n');
      whole.delete('notes.txt');
      const report = await runSync(endpointOf(mbox, from), endpointOf(target, to), tempStatePath());
      assert.equal(report.status, 'done-with-skipped', JSON.stringify(report.error));
      assert.deepEqual(kinds(report.skipped), [['folder-unreadable-at-source', 'notes.txt', '0']]);
      assert.match(report.skipped[0]!.reason, /mbox/i);
      assert.deepEqual(diffSnapshots(whole, await snapshotMailbox(target, to)), []);
    } finally {
      await mbox.stop();
    }
  });

  test('a folder name the target refuses (notes.txt into maildir++): the other folders copied, the folder named with a --map hint, exit 1', async () => {
    const maildirPlusPlus = await startDovecot({ mailFormat: 'maildir' });
    try {
      const from = await target.addUser();
      const to = await maildirPlusPlus.addUser();
      await loadCorpus(
        target,
        from,
        generateCorpus({
          seed: 49,
          messages: 60,
          folders: ['INBOX', 'Work', 'notes.txt'],
          bigAttachments: 0,
        }),
      );
      const whole = await snapshotMailbox(target, from);
      whole.delete('notes.txt');
      const env = { TRANCHE_SOURCE_PASSWORD: from.password, TRANCHE_TARGET_PASSWORD: to.password };
      const args = [...cliArgs(target, from, maildirPlusPlus, to), '--state', tempStatePath()];
      for (const connections of ['1', '4']) {
        const run = await runCli(['sync', ...args, '--connections', connections], env);
        assert.equal(run.status, EXIT.partial, run.stderr + run.stdout);
        assert.match(
          run.stdout,
          /notes\.txt \(folder\) folder-refused-by-target: CREATE notes\.txt: .*--map 'notes\.txt=Other'/,
        );
      }
      assert.deepEqual(diffSnapshots(whole, await snapshotMailbox(maildirPlusPlus, to)), []);
    } finally {
      await maildirPlusPlus.stop();
    }
  });
});
