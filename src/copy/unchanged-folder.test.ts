import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderInfo } from '../mailstore/mail-store.js';
import type { FolderCheckpoint } from './checkpoint.js';
import type { FolderPair } from './folder-map.js';
import { UidMap } from './uid-map.js';
import { unchangedReport, unchangedSinceLastPass } from './unchanged-folder.js';

const folder = (path: string, listed: Partial<FolderInfo>): FolderInfo => ({
  path,
  delimiter: '/',
  specialUse: undefined,
  noSelect: false,
  ...listed,
});
const pair = (listed: Partial<FolderInfo>): FolderPair => ({
  source: folder('Sent', listed),
  targetPath: 'Sent',
  logicalName: 'Sent',
  role: undefined,
});
const finished = (more: Partial<FolderCheckpoint> = {}): FolderCheckpoint => ({
  sourceFolder: 'Sent',
  targetFolder: 'Sent',
  sourceUidValidity: 7,
  targetUidValidity: 9,
  highestModseq: '120',
  map: new UidMap(),
  pending: undefined,
  sourceUidNext: 31,
  ...more,
});
const source = { messages: 30, uidValidity: 7, uidNext: 31, highestModseq: 120n };
const target = folder('Sent', { messages: 30, uidValidity: 9, uidNext: 41, highestModseq: 300n });

test('a folder has nothing for a pass when the source list shows what the last pass left and the target folder is the same', () => {
  const unchanged = (s: Partial<FolderInfo>, t: FolderInfo | undefined, cp?: FolderCheckpoint): boolean =>
    unchangedSinceLastPass(pair(s), t, cp);
  assert.equal(unchanged(source, target, finished()), true);
  assert.equal(
    unchanged({ ...source, uidNext: 32 }, target, finished()),
    false,
    'a new message at the source',
  );
  assert.equal(unchanged({ ...source, highestModseq: 121n }, target, finished()), false, 'a source flag');
  assert.equal(unchanged({ ...source, uidValidity: 8 }, target, finished()), false, 'source UIDVALIDITY');
  assert.equal(
    unchanged(source, { ...target, uidValidity: 10 }, finished()),
    false,
    'target folder made anew',
  );
  // Changes made at the target alone are not a pass's to undo.
  assert.equal(unchanged(source, { ...target, uidNext: 42, highestModseq: 301n }, finished()), true);
});

test('what the lists or the checkpoint do not say counts as a change', () => {
  const unchanged = (s: Partial<FolderInfo>, t: FolderInfo | undefined, cp?: FolderCheckpoint): boolean =>
    unchangedSinceLastPass(pair(s), t, cp);
  assert.equal(unchanged(source, target, undefined), false, 'no pass yet');
  assert.equal(unchanged(source, undefined, finished()), false, 'not on the target list');
  assert.equal(unchanged({ messages: 30 }, target, finished()), false, 'counts only');
  assert.equal(unchanged(source, folder('Sent', {}), finished()), false, 'no LIST-STATUS at the target');
  assert.equal(unchanged({ ...source, highestModseq: undefined }, target, finished()), false, 'no CONDSTORE');
  assert.equal(unchanged(source, target, finished({ highestModseq: undefined })), false);
  assert.equal(unchanged(source, target, finished({ sourceUidNext: undefined })), false);
  assert.equal(unchanged(source, target, finished({ targetFolder: 'Old/Sent' })), false, 'mapped elsewhere');
  const underWay = finished({ pending: { targetUidFloor: 5, messages: [] } });
  assert.equal(unchanged(source, target, underWay), false, 'a batch under way');
  assert.equal(unchanged(source, target, finished({ unreadable: [4] })), false, 'a message to try again');
});

test('with deletions brought across, the source count must be the one a finished such pass left', () => {
  const unchanged = (s: Partial<FolderInfo>, cp: FolderCheckpoint): boolean =>
    unchangedSinceLastPass(pair(s), target, cp, true);
  assert.equal(unchanged(source, finished({ sourceMessagesAfterDeletes: 30 })), true);
  // An expunge at the source: same UIDNEXT, and HIGHESTMODSEQ need not move without QRESYNC.
  assert.equal(
    unchanged({ ...source, messages: 29 }, finished({ sourceMessagesAfterDeletes: 30 })),
    false,
    'a message expunged',
  );
  assert.equal(unchanged(source, finished()), false, 'the last pass did not bring deletions across');
  assert.equal(
    unchanged({ ...source, messages: undefined }, finished({ sourceMessagesAfterDeletes: 30 })),
    false,
    'no count listed',
  );
  // Without deletions to bring across, the count is not looked at.
  assert.equal(unchangedSinceLastPass(pair({ ...source, messages: 29 }), target, finished()), true);
});

test('an unopened folder reports what its pass would: the message count and keywords known not kept', () => {
  const report = unchangedReport(pair(source), finished({ keywordsNotKept: ['Project_Y'] }));
  assert.equal(report.sourceMessages, 30);
  assert.equal(report.copied + report.matched + report.flagsUpdated, 0);
  assert.deepEqual(report.keywordsNotKept, ['Project_Y']);
  assert.deepEqual(
    report.altered.map((item) => [item.kind, item.flags]),
    [['keywords-not-kept', ['Project_Y']]],
  );
  assert.deepEqual(unchangedReport(pair(source), finished()).altered, []);
});
