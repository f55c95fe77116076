import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreshCache } from './fresh-cache.js';

test('a failed background refresh is reported and the last value is still served', async () => {
  let now = 0;
  const failures: [string, unknown][] = [];
  const cache = new FreshCache(
    1_000,
    () => now,
    (key, error) => failures.push([key, error]),
  );
  assert.deepEqual(await cache.get('overview', () => Promise.resolve('first')), { value: 'first', at: 0 });
  now = 5_000;
  const broken = new Error('store unreachable');
  const served = await cache.get('overview', () => Promise.reject(broken));
  assert.equal(served.value, 'first');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(failures, [['overview', broken]]);
  // The next request tries again, and a good computation replaces the old value.
  await cache.get('overview', () => Promise.resolve('second'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await cache.get('overview', () => Promise.resolve('third'))).value, 'second');
});
