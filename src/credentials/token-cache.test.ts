import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { TokenCache } from './token-cache.js';
import { tokenError } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** A token source that counts its fetches and hands out numbered tokens living `lifeMs` on the simulated clock. */
function countingSource(
  clock: { now: number },
  lifeMs: number,
  perUser = true,
): TokenSource & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    id: 'counting',
    description: 'counting source',
    perUser,
    fetched,
    fetch(user: string): Promise<AccessToken> {
      fetched.push(user);
      return Promise.resolve({ value: `token-${fetched.length}`, expiresAt: clock.now + lifeMs });
    },
  };
}

test('a token is reused while it has time left and renewed before it expires (simulated clock)', async () => {
  const clock = { now: 1_000_000 };
  const cache = new TokenCache(() => clock.now);
  const source = countingSource(clock, 3_600_000);
  assert.equal((await cache.token(source, 'a')).token.value, 'token-1');
  clock.now += 3_600_000 - 5 * 60_000 - 1; // just inside the five minutes' margin
  const again = await cache.token(source, 'a');
  assert.deepEqual([again.token.value, again.cached], ['token-1', true]);
  clock.now += 2; // within five minutes of expiry: a new one, before the old one runs out
  assert.equal((await cache.token(source, 'a')).token.value, 'token-2');
  // A short-lived token is renewed at half its life.
  const short = countingSource(clock, 4_000);
  await cache.token({ ...short, id: 'short' }, 'a');
  clock.now += 2_001;
  await cache.token({ ...short, id: 'short' }, 'a');
  assert.equal(short.fetched.length, 2);
  assert.deepEqual(cache.stats, { fetches: 4, hits: 1 });
});

test('per (source, user); one per source when its tokens are not per user; one fetch at a time per key', async () => {
  const clock = { now: 0 };
  const cache = new TokenCache(() => clock.now);
  const perUser = countingSource(clock, 60_000);
  await Promise.all([cache.token(perUser, 'a'), cache.token(perUser, 'a'), cache.token(perUser, 'b')]);
  assert.deepEqual(perUser.fetched, ['a', 'b']);
  const app = { ...countingSource(clock, 60_000, false), id: 'app' };
  await Promise.all(['a', 'b', 'c'].map((u) => cache.token(app, u)));
  assert.equal(app.fetched.length, 1);
  // `fresh` skips the cache (the server refused the cached token).
  const fresh = await cache.token(perUser, 'a', true);
  assert.equal(fresh.cached, false);
  assert.deepEqual(perUser.fetched, ['a', 'b', 'a']);
});

test('a refusal is remembered for a while, so many mailboxes ask once; unreachable is not', async () => {
  const clock = { now: 0 };
  const cache = new TokenCache(() => clock.now);
  let calls = 0;
  const refusing: TokenSource = {
    id: 'refusing',
    description: 'token endpoint x',
    perUser: false,
    fetch: () => {
      calls++;
      return Promise.reject(tokenError('token endpoint x', 'invalid_client (HTTP 401)', 'refused'));
    },
  };
  for (let i = 0; i < 3; i++) await assert.rejects(cache.token(refusing, `u${i}`), /invalid_client/);
  assert.equal(calls, 1);
  clock.now += 30_001;
  await assert.rejects(
    cache.token(refusing, 'u'),
    (e: unknown) => e instanceof TrancheError && e.type === 'auth',
  );
  assert.equal(calls, 2);
  let down = 0;
  const unreachable: TokenSource = {
    ...refusing,
    id: 'down',
    fetch: () => {
      down++;
      return Promise.reject(tokenError('token endpoint y', 'ECONNREFUSED', 'unreachable'));
    },
  };
  await assert.rejects(
    cache.token(unreachable, 'u'),
    (e: unknown) => e instanceof TrancheError && e.retryable,
  );
  await assert.rejects(cache.token(unreachable, 'u'));
  assert.equal(down, 2);
});
