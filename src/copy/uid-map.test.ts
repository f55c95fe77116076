import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UidMap } from './uid-map.js';

test('a folder copied in order encodes as one 12-byte run', () => {
  const map = new UidMap();
  for (let i = 1; i <= 5000; i++) map.set(i, i + 100);
  const bytes = map.encode();
  assert.equal(bytes.length, 12);
  const back = UidMap.decode(bytes);
  assert.equal(back.size, 5000);
  assert.equal(back.get(1), 101);
  assert.equal(back.get(5000), 5100);
});

test('gaps and out-of-order pairs round-trip exactly', () => {
  const map = new UidMap();
  const pairs: [number, number][] = [
    [3, 10],
    [1, 7],
    [2, 8],
    [10, 11],
    [11, 30],
    [4_000_000_000, 5],
  ];
  for (const [s, t] of pairs) map.set(s, t);
  map.delete(2);
  const back = UidMap.decode(map.encode());
  assert.deepEqual(back.entries(), [
    [1, 7],
    [3, 10],
    [10, 11],
    [11, 30],
    [4_000_000_000, 5],
  ]);
  assert.equal(back.highestSourceUid(), 4_000_000_000);
});

test('an empty map decodes from null', () => {
  assert.equal(UidMap.decode(null).size, 0);
  assert.equal(new UidMap().encode().length, 0);
});
