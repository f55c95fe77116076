import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderPair } from './folder-map.js';
import { largestFirst } from './folder-order.js';

const pair = (logicalName: string, messages?: number): FolderPair => ({
  source: { path: logicalName, delimiter: '/', specialUse: undefined, noSelect: false, messages },
  logicalName,
  targetPath: logicalName,
  role: undefined,
});
const names = (pairs: FolderPair[]): string[] => pairs.map((p) => p.logicalName);

test('with counts from the server the largest folder starts first; equal counts keep the listing order', () => {
  const listed = [
    pair('Sent', 40),
    pair('Archive', 9000),
    pair('INBOX', 300),
    pair('Drafts', 40),
    pair('Junk', 0),
  ];
  assert.deepEqual(names(largestFirst(listed)), ['Archive', 'INBOX', 'Sent', 'Drafts', 'Junk']);
  assert.deepEqual(
    names(listed),
    ['Sent', 'Archive', 'INBOX', 'Drafts', 'Junk'],
    'the given list is left as it was',
  );
});

test('without counts INBOX starts first and the rest keep the listing order', () => {
  assert.deepEqual(names(largestFirst([pair('Sent'), pair('Work'), pair('INBOX'), pair('Archive')])), [
    'INBOX',
    'Sent',
    'Work',
    'Archive',
  ]);
});

test('a folder the server gave no count for goes after those it did', () => {
  assert.deepEqual(names(largestFirst([pair('Lost'), pair('Sent', 2), pair('INBOX', 1)])), [
    'Sent',
    'INBOX',
    'Lost',
  ]);
});
