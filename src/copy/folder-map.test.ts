import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderInfo, Namespace } from '../mailstore/mail-store.js';
import { TrancheError } from '../errors/tranche-error.js';
import { fromLevels, matchesGlob, parseRenames, planFolders, toLevels } from './folder-map.js';

const slash: Namespace = { prefix: '', delimiter: '/' };
const cyrus: Namespace = { prefix: 'INBOX.', delimiter: '.' };
const folder = (path: string, specialUse?: FolderInfo['specialUse'], delimiter = '/'): FolderInfo => ({
  path,
  delimiter,
  specialUse,
  noSelect: false,
});
const none = { renames: [], excludes: [] };

test('levels cross delimiters and the INBOX. prefix both ways', () => {
  assert.deepEqual(toLevels('Projects/2024/Q1', slash), ['Projects', '2024', 'Q1']);
  assert.equal(fromLevels(['Projects', '2024', 'Q1'], cyrus), 'INBOX.Projects.2024.Q1');
  assert.deepEqual(toLevels('INBOX.Projects.2024', cyrus), ['Projects', '2024']);
  assert.equal(fromLevels(['Projects', '2024'], slash), 'Projects/2024');
  assert.equal(fromLevels(['INBOX'], cyrus), 'INBOX');
  assert.deepEqual(toLevels('inbox', slash), ['INBOX']);
  assert.equal(fromLevels(['INBOX', 'Child'], cyrus), 'INBOX.Child');
});

test('special-use folders map by role whatever either side calls them', () => {
  const plan = planFolders(
    [folder('INBOX'), folder('Sent Items', '\\Sent'), folder('Deleted Items', '\\Trash'), folder('Notes')],
    slash,
    [
      folder('INBOX', undefined, '.'),
      folder('INBOX.Sent', '\\Sent', '.'),
      folder('INBOX.Bin', '\\Trash', '.'),
    ],
    cyrus,
    none,
  );
  const targets = Object.fromEntries(plan.pairs.map((p) => [p.logicalName, p.targetPath]));
  assert.deepEqual(targets, {
    INBOX: 'INBOX',
    'Sent Items': 'INBOX.Sent',
    'Deleted Items': 'INBOX.Bin',
    Notes: 'INBOX.Notes',
  });
});

test('renames carry children; excludes leave folders out', () => {
  const plan = planFolders(
    [folder('Old'), folder('Old/Child'), folder('Spam stuff'), folder('Keep')],
    slash,
    [],
    slash,
    { renames: parseRenames(['Old=New/Place']), excludes: ['Spam*'] },
  );
  assert.deepEqual(
    plan.pairs.map((p) => p.targetPath),
    ['New/Place', 'New/Place/Child', 'Keep'],
  );
  assert.deepEqual(plan.excluded, ['Spam stuff']);
});

test('folders that would collide are reported, not merged', () => {
  assert.throws(
    () => planFolders([folder('A'), folder('B')], slash, [], slash, { renames: [['B', 'A']], excludes: [] }),
    (e: unknown) => e instanceof TrancheError && e.type === 'folder-mapping' && /'A' and 'B'/.test(e.message),
  );
});

test("a level holding the target's delimiter is reported", () => {
  assert.throws(
    () => planFolders([folder('v1.2 notes')], slash, [], cyrus, none),
    (e: unknown) => e instanceof TrancheError && /delimiter '\.'/.test(e.message),
  );
});

test('globs and bad --map values', () => {
  assert.ok(matchesGlob('Archive/2019', 'Archive/*'));
  assert.ok(!matchesGlob('Archive', 'Archive/*'));
  assert.ok(matchesGlob('a.b', 'a.?'));
  assert.throws(() => parseRenames(['nothing']), TrancheError);
});
