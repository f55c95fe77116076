import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

test('tranche token create|list|revoke: shown once, stored hashed, clear usage errors', async () => {
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  const db = await openStateStore(join(dir, 'state.sqlite'));
  try {
    await db.insertInto('organisation').values({ code: 'A', name: 'Trust A' }).execute();
  } finally {
    await db.destroy();
  }
  const token = async (args: string[], expected: number = EXIT.ok) => {
    const result = await runCli(['token', ...args, '--programme', dir]);
    assert.equal(result.status, expected, `token ${args.join(' ')}: ${result.stderr}`);
    return result;
  };

  const made = await token(['create', '--role', 'org-admin', '--org', 'A', '--name', 'Trust A admins']);
  assert.match(made.stdout, /^tranche_[\w-]{43}\n$/);
  assert.match(made.stderr, /token tk[0-9a-f]{10} \(org-admin\) created; it is shown this once/);
  const secret = made.stdout.trim();

  const listed = await token(['list']);
  assert.match(
    listed.stdout,
    /^tk[0-9a-f]{10} {2}Trust A admins {2}org-admin {2}A {2}created \S+ \S+ {2}last used -$/m,
  );
  const json = JSON.parse((await token(['list', '--json'])).stdout) as { id: string; role: string }[];
  assert.deepEqual(
    json.map((t) => t.role),
    ['org-admin'],
  );
  const stored = await openStateStore(join(dir, 'state.sqlite'));
  try {
    const row = await stored.selectFrom('api_token').selectAll().executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, secret);
    assert.match(row.token_hash, /^[0-9a-f]{64}$/);
  } finally {
    await stored.destroy();
  }
  for (const output of [listed.stdout, listed.stderr, JSON.stringify(json)])
    assert.ok(!output.includes(secret));

  assert.match((await token(['create', '--role', 'org-admin'], EXIT.usage)).stderr, /needs --org CODE/);
  assert.match(
    (await token(['create', '--role', 'org-admin', '--org', 'NOPE'], EXIT.usage)).stderr,
    /no organisation NOPE/,
  );
  assert.match(
    (await token(['create', '--role', 'admin', '--org', 'A'], EXIT.usage)).stderr,
    /--org goes with --role org-admin/,
  );
  assert.match((await token(['create', '--role', 'root'], EXIT.usage)).stderr, /argument 'root' is invalid/);
  assert.match((await token(['create'], EXIT.usage)).stderr, /required option '--role <role>'/);

  assert.equal((await token(['revoke', json[0]!.id])).stdout, `revoked ${json[0]!.id}\n`);
  assert.match((await token(['revoke', json[0]!.id], EXIT.usage)).stderr, /no live token/);
  assert.match((await token(['list'])).stdout, /revoked \S+ \S+$/m);
  assert.match((await token(['--help'])).stdout, /create.*list.*revoke/s);

  const serve = await runCli(['serve', '--listen', 'nowhere', '--programme', dir]);
  assert.equal(serve.status, EXIT.usage);
  assert.match(serve.stderr, /--listen must be HOST:PORT/);
});
