import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

const SECRET = 'never-print-me-9f3a';
let postgres: PostgresServer;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
});

function tempDir(): string {
  return tempStatePath().replace(/\/state\.sqlite$/, '');
}

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  test(`init and endpoints on ${backend}: the admin password never leaves the store in clear`, async () => {
    const dir = join(tempDir(), 'programme');
    const db = backend === 'PostgreSQL' ? ['--db', await postgres.createDatabase()] : [];
    const init = await runCli(['init', dir, '--name', 'Test programme', ...db]);
    assert.equal(init.status, EXIT.ok, init.stderr);
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    const again = await runCli(['init', dir]);
    assert.equal(again.status, EXIT.usage);
    assert.match(again.stderr, /is a programme already/);

    const passwordFile = join(dir, '..', 'admin-password');
    writeFileSync(passwordFile, `${SECRET}\n`);
    const outputs: string[] = [init.stdout, init.stderr];
    const run = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
      const result = await runCli([...args, '--programme', dir], env);
      outputs.push(result.stdout, result.stderr);
      assert.equal(result.status, EXIT.ok, result.stderr);
      return result.stdout;
    };
    await run([
      'endpoint',
      'add',
      'source',
      '--url',
      'imaps://old.example.org',
      '--admin',
      'master',
      '--admin-password-file',
      passwordFile,
    ]);
    await run(
      [
        'endpoint',
        'add',
        'target',
        '--url',
        'imap://new.example.org',
        '--admin',
        'm',
        '--login-template',
        '{user}*{admin}',
      ],
      {
        TRANCHE_ENDPOINT_PASSWORD: SECRET,
      },
    );
    const listed = JSON.parse(await run(['endpoint', 'list', '--json'])) as {
      name: string;
      hasAdminPassword: boolean;
    }[];
    assert.deepEqual(
      listed.map((e) => [e.name, e.hasAdminPassword]),
      [
        ['source', true],
        ['target', true],
      ],
    );
    assert.match(
      await run(['endpoint', 'list']),
      /source {2}imaps:\/\/old\.example\.org {2}admin master \(SASL PLAIN\), password set/,
    );
    const bad = await runCli([
      'endpoint',
      'add',
      'x',
      '--url',
      'imaps://h',
      '--admin',
      'a',
      '--programme',
      dir,
    ]);
    assert.equal(bad.status, EXIT.usage);
    outputs.push(bad.stdout, bad.stderr);
    await run(['endpoint', 'remove', 'target']);

    // Not in any output, nor in any file of the programme (the SQLite file and its WAL included).
    for (const text of outputs) assert.ok(!text.includes(SECRET), text);
    for (const file of readdirSync(dir)) assert.ok(!readFileSync(join(dir, file)).includes(SECRET), file);
  });
}

test('a broken configuration is one line naming the field, exit 64', async () => {
  const dir = join(tempDir(), 'p');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  writeFileSync(join(dir, 'tranche.yaml'), 'name: x\nstate: [1, 2]\n');
  const result = await runCli(['endpoint', 'list', '--programme', dir]);
  assert.equal(result.status, EXIT.usage);
  assert.match(result.stderr, /^tranche: .*tranche\.yaml: field 'state'/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});
