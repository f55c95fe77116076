import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandTokenSource, parseCommandOutput } from './command-token-source.js';

test('a command prints a bare token or JSON {access_token, expires_in}; anything else is a named code', () => {
  const now = 1_000_000;
  assert.deepEqual(parseCommandOutput('abc.def\n', now), { value: 'abc.def', expiresAt: undefined });
  assert.deepEqual(parseCommandOutput('{"access_token":"t","expires_in":60}', now), {
    value: 't',
    expiresAt: now + 60_000,
  });
  const exp = Math.floor(now / 1000) + 120;
  const jwt = `x.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.y`;
  assert.equal((parseCommandOutput(jwt, now) as { expiresAt: number }).expiresAt, exp * 1000);
  assert.equal(parseCommandOutput('   \n', now), 'printed-nothing');
  assert.equal(parseCommandOutput('{"access_token":', now), 'bad-json');
  assert.equal(parseCommandOutput('{"token":"t"}', now), 'no-access-token');
  assert.equal(parseCommandOutput('Error: not logged in', now), 'not-a-token');
});

test('the command runs through the shell with TRANCHE_USER; its failure names its exit status only', async () => {
  const source = new CommandTokenSource('printf "token-for-%s" "$TRANCHE_USER"');
  assert.equal((await source.fetch('alice@example.org')).value, 'token-for-alice@example.org');
  await assert.rejects(new CommandTokenSource('echo secret-ish >&2; exit 5').fetch('a'), (e: Error) => {
    assert.equal(e.message, 'token command: exit-status-5');
    return true;
  });
});
