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

test('held as runs: in-order pairs join, a delete splits a run, pairs set out of order join again', () => {
  const map = new UidMap();
  for (let i = 1; i <= 60_000; i++) map.set(i, i + 7);
  assert.equal(map.runCount, 1);
  map.delete(30_000);
  assert.equal(map.runCount, 2);
  assert.equal(map.size, 59_999);
  assert.equal(map.get(30_000), undefined);
  assert.equal(map.get(30_001), 30_008);
  map.set(30_000, 30_007);
  assert.equal(map.runCount, 1);
  map.set(30_000, 99);
  assert.equal(map.get(30_000), 99);
  assert.equal(map.size, 60_000);
  assert.equal(map.runCount, 3);
  assert.equal(map.countBelow(30_000), 29_999);
  assert.equal(map.countBelow(1), 0);
  assert.equal(map.countBelow(70_000), 60_000);
  assert.deepEqual(
    [...map.targetsFrom(60_005)].sort((a, b) => a - b),
    [60_005, 60_006, 60_007],
  );
  assert.equal(map.highestTargetUid(), 60_007);
  assert.equal(map.highestSourceUid(), 60_000);
});

test('runs written out of order (or overlapping) decode to the same pairs, the later winning', () => {
  const runs = [
    [100, 5, 3],
    [1, 50, 2],
    [101, 9, 1],
  ];
  const buffer = Buffer.alloc(runs.length * 12);
  runs.forEach(([s, t, n], i) => {
    buffer.writeUInt32LE(s!, i * 12);
    buffer.writeUInt32LE(t!, i * 12 + 4);
    buffer.writeUInt32LE(n!, i * 12 + 8);
  });
  assert.deepEqual(UidMap.decode(buffer).entries(), [
    [1, 50],
    [2, 51],
    [100, 5],
    [101, 9],
    [102, 7],
  ]);
});
