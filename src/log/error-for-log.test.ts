import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { errorForLog } from './error-for-log.js';

test('a logged error keeps its own type, retry facts, stack and causes', () => {
  const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const error = new TrancheError('throttled', 'target throttled', { retryAfterMs: 40_000, cause: socket });
  const logged = errorForLog(error);
  assert.ok(typeof logged === 'object');
  assert.equal(logged.type, 'throttled');
  assert.equal(logged.message, 'target throttled');
  assert.equal(logged.retryAfterMs, 40_000);
  assert.equal(typeof logged.retryable, 'boolean');
  assert.match(logged.stack ?? '', /error-for-log\.test/);
  assert.ok(typeof logged.cause === 'object');
  assert.equal(logged.cause.code, 'ECONNREFUSED');
  assert.equal(logged.cause.message, 'connect ECONNREFUSED 127.0.0.1:1');
});

test('a cause that is not an Error is logged as text, and a cycle of causes ends', () => {
  assert.equal(errorForLog('plain words'), 'plain words');
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  let depth = 0;
  for (
    let at: unknown = errorForLog(b);
    typeof at === 'object' && at !== null;
    at = (at as { cause?: unknown }).cause
  )
    depth++;
  assert.ok(depth <= 6);
});
