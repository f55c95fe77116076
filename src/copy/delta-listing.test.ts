import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageMeta } from '../mailstore/mail-store.js';
import { addRange } from '../mailstore/uid-ranges.js';
import { nextListingStart, vanishedPairs } from './delta-listing.js';
import { UidMap } from './uid-map.js';

const status = (uidNext: number) => ({ uidValidity: 1, uidNext, messages: 0, highestModseq: 1n });
const listed = (...uids: number[]): MessageMeta[] =>
  uids.map((uid) => ({ uid, flags: [], size: 1, internalDate: new Date(0) }));

test('vanished pairs: the mapped UIDs the ranges do not hold, across runs and holes', () => {
  const map = new UidMap();
  for (let i = 1; i <= 100; i++) map.set(i, i + 1000);
  for (let i = 200; i <= 210; i++) map.set(i, i);
  const present: { first: number; last: number }[] = [];
  addRange(present, 1, 1);
  addRange(present, 3, 49);
  addRange(present, 52, 100);
  addRange(present, 205, 300);
  assert.deepEqual(vanishedPairs(map, present), [
    [2, 1002],
    [50, 1050],
    [51, 1051],
    [200, 200],
    [201, 201],
    [202, 202],
    [203, 203],
    [204, 204],
  ]);
  assert.deepEqual(vanishedPairs(map, [{ first: 1, last: 1000 }]), []);
  assert.equal(vanishedPairs(map, []).length, 111);
});

test('the next listing start: the UIDNEXT, past a message that came after SELECT, down to one not copied', () => {
  const map = new UidMap();
  for (let i = 1; i <= 10; i++) map.set(i, i);
  assert.equal(nextListingStart(listed(8, 9, 10), map, status(11), 8), 11);
  map.set(11, 11);
  assert.equal(nextListingStart(listed(8, 9, 10, 11), map, status(11), 8), 12);
  // UID 12 listed but not copied (refused): the next pass starts there and tries it again.
  assert.equal(nextListingStart(listed(9, 10, 11, 12), map, status(13), 9), 12);
  assert.equal(nextListingStart([], map, status(5), 7), 7);
});
