import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyImapError, throttlingError } from './classify-error.js';

test('throttling replies are retryable `throttled` errors carrying the server’s hint', () => {
  const office = classifyImapError(
    { responseText: 'Request is throttled. Suggested Backoff Time: 41250 milliseconds' },
    'command',
  );
  assert.equal(office.type, 'throttled');
  assert.equal(office.retryable, true);
  assert.equal(office.retryAfterMs, 41_250);
  for (const [words, code] of [
    ['Too many concurrent connections', ''],
    ['Server busy, try again later', ''],
    ['Not now', 'THROTTLED'],
    ['User is over the command limit', 'LIMIT'],
  ] as const) {
    const error = classifyImapError({ responseText: words, serverResponseCode: code }, 'command');
    assert.equal(error.type, 'throttled', words);
    assert.equal(error.retryable, true, words);
    assert.equal(error.retryAfterMs, undefined, words);
  }
  // A throttled login is not a wrong password.
  assert.equal(
    classifyImapError(
      { responseText: 'Rate limit exceeded', serverResponseCode: 'AUTHENTICATIONFAILED' },
      'connect',
    ).type,
    'throttled',
  );
  assert.equal(throttlingError('Invalid credentials', 'AUTHENTICATIONFAILED'), undefined);
});

test('a dropped connection is retryable, a refusal of another kind is not throttling', () => {
  const reset = classifyImapError({ code: 'ECONNRESET', message: 'read ECONNRESET' }, 'command');
  assert.equal(reset.type, 'connection-lost');
  assert.equal(reset.retryable, true);
  const bye = classifyImapError({ message: 'Connection closed by server (BYE)' }, 'command');
  assert.equal(bye.type, 'connection-lost');
  assert.equal(bye.retryable, true);
  const other = classifyImapError(
    { responseText: 'Mailbox does not exist', serverResponseCode: 'NONEXISTENT' },
    'command',
  );
  assert.equal(other.type, 'server');
  assert.equal(other.retryable, false);
});
