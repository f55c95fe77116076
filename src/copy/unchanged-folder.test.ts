import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderCheckpoint } from './checkpoint.js';
import type { FolderPair } from './folder-map.js';
import { UidMap } from './uid-map.js';
import { unchangedSinceLastPass } from './unchanged-folder.js';

const pair = (listed: Partial<FolderPair['source']>): FolderPair => ({
  source: { path: 'Sent', delimiter: '/', specialUse: undefined, noSelect: false, ...listed },
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
const listed = { messages: 30, uidValidity: 7, uidNext: 31, highestModseq: 120n };

test('a folder is unchanged only when the list shows what the last finished pass left', () => {
  assert.equal(unchangedSinceLastPass(pair(listed), finished()), true);
  assert.equal(unchangedSinceLastPass(pair({ ...listed, uidNext: 32 }), finished()), false, 'a new message');
  assert.equal(
    unchangedSinceLastPass(pair({ ...listed, highestModseq: 121n }), finished()),
    false,
    'a flag changed',
  );
  assert.equal(unchangedSinceLastPass(pair({ ...listed, uidValidity: 8 }), finished()), false, 'UIDVALIDITY');
});

test('what the list or the checkpoint does not say counts as a change', () => {
  assert.equal(unchangedSinceLastPass(pair(listed), undefined), false, 'no pass yet');
  assert.equal(unchangedSinceLastPass(pair({ messages: 30 }), finished()), false, 'counts only');
  assert.equal(
    unchangedSinceLastPass(pair({ ...listed, highestModseq: undefined }), finished()),
    false,
    'no CONDSTORE',
  );
  assert.equal(unchangedSinceLastPass(pair(listed), finished({ highestModseq: undefined })), false);
  assert.equal(unchangedSinceLastPass(pair(listed), finished({ sourceUidNext: undefined })), false);
  assert.equal(
    unchangedSinceLastPass(pair(listed), finished({ targetFolder: 'Old/Sent' })),
    false,
    'renamed',
  );
  assert.equal(
    unchangedSinceLastPass(pair(listed), finished({ pending: { targetUidFloor: 5, messages: [] } })),
    false,
    'a batch under way',
  );
  assert.equal(
    unchangedSinceLastPass(pair(listed), finished({ unreadable: [4] })),
    false,
    'a message to try again',
  );
});
