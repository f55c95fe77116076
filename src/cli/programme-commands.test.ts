import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDovecot } from '../testing/dovecot.js';
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

test('endpoint set changes limits and settings, shown by endpoint list; refusals change nothing and never print the password', async () => {
  const dir = join(tempDir(), 'set');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  const passwordFile = join(dir, '..', 'admin-password');
  writeFileSync(passwordFile, `${SECRET}\n`);
  const outputs: string[] = [];
  const cli = async (
    args: string[],
    expected: number = EXIT.ok,
  ): Promise<{ stdout: string; stderr: string }> => {
    const result = await runCli([...args, '--programme', dir], { TRANCHE_ENDPOINT_PASSWORD: SECRET });
    outputs.push(result.stdout, result.stderr);
    assert.equal(result.status, expected, `${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const listed = async () =>
    (JSON.parse((await cli(['endpoint', 'list', '--json'])).stdout) as Record<string, unknown>[])[0]!;
  await cli(['endpoint', 'add', 'new', '--url', 'imaps://new.example.org', '--bytes-per-hour', '500']);

  const raised = await cli(['endpoint', 'set', 'new', '--max-mailboxes', '8', '--bytes-per-hour', '1000000']);
  assert.equal(raised.stdout, 'endpoint new: max mailboxes 4 → 8, bytes/hour 500 → 1000000\n');
  assert.match(
    (await cli(['endpoint', 'list'])).stdout,
    /^new {2}imaps:\/\/new\.example\.org {2}user logins; 10 connections, 8 mailboxes at once, 1000000 bytes\/hour$/m,
  );
  const cleared = await cli(['endpoint', 'set', 'new', '--no-bytes-per-hour', '--latency-threshold', '800']);
  assert.equal(cleared.stdout, 'endpoint new: bytes/hour 1000000 → none, latency threshold none → 800 ms\n');
  const json = await cli(['endpoint', 'set', 'new', '--no-latency-threshold', '--json']);
  assert.deepEqual(JSON.parse(json.stdout), await listed());
  assert.equal((await listed()).latencyThresholdMs, undefined);

  const unknown = await cli(['endpoint', 'set', 'old', '--max-mailboxes', '2'], EXIT.usage);
  assert.equal(unknown.stderr, 'tranche: no endpoint named old\n');
  const nothing = await cli(['endpoint', 'set', 'new'], EXIT.usage);
  assert.match(nothing.stderr, /^tranche: endpoint new: nothing to change/);
  const before = await listed();
  const badUrl = await cli(
    ['endpoint', 'set', 'new', '--max-mailboxes', '2', '--url', 'http://x'],
    EXIT.usage,
  );
  assert.match(badUrl.stderr, /--url/);
  await cli(['endpoint', 'set', 'new', '--max-connections', '0'], EXIT.usage);
  await cli(['endpoint', 'set', 'new', '--login-template', '{user}*{admin}'], EXIT.usage);
  assert.deepEqual(await listed(), before);

  const admin = await cli([
    'endpoint',
    'set',
    'new',
    '--admin',
    'master',
    '--admin-password-file',
    passwordFile,
  ]);
  assert.equal(admin.stdout, 'endpoint new: admin none → master, admin password set\n');
  const rotated = await cli(['endpoint', 'set', 'new', '--admin', 'master', '--no-insecure', '--json']);
  assert.equal((JSON.parse(rotated.stdout) as { hasAdminPassword: boolean }).hasAdminPassword, true);
  const users = await cli(['endpoint', 'set', 'new', '--no-admin', '--allow-plaintext']);
  assert.equal(
    users.stdout,
    'endpoint new: admin master → none, allow plaintext no → yes, admin password removed\n',
  );
  const help = await cli(['endpoint', 'set', '--help']);
  assert.match(help.stdout, /--no-bytes-per-hour/);
  for (const text of outputs) assert.ok(!text.includes(SECRET), text);
  for (const file of readdirSync(dir)) assert.ok(!readFileSync(join(dir, file)).includes(SECRET), file);
});

test('a broken configuration is one line naming the field, exit 64', async () => {
  const dir = join(tempDir(), 'p');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  writeFileSync(join(dir, 'tranche.yaml'), 'name: x\nstate: [1, 2]\n');
  const result = await runCli(['endpoint', 'list', '--programme', dir]);
  assert.equal(result.status, EXIT.usage);
  assert.match(result.stderr, /^tranche: .*tranche\.yaml: field 'state'/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  test(`secrets appear in no output, log line (trace level), export or programme file, through a whole flow (${backend})`, async () => {
    const dovecot = await startDovecot();
    try {
      const dir = join(tempDir(), 'flow');
      const db = backend === 'PostgreSQL' ? ['--db', await postgres.createDatabase()] : [];
      const adminSecret = 'admin-secret-4c1d';
      const userSecret = 'user-secret-88ab';
      const wrongSecret = 'wrong-secret-19fe';
      const alice = await dovecot.addUser();
      const bob = await dovecot.addUser();
      const env = { TRANCHE_LOG_LEVEL: 'trace', TRANCHE_ENDPOINT_PASSWORD: dovecot.masterPassword };
      const outputs: string[] = [];
      const run = async (args: string[], expected: number = EXIT.ok): Promise<string> => {
        const result = await runCli([...args, '--programme', dir], env);
        outputs.push(result.stdout, result.stderr);
        assert.equal(result.status, expected, `${args.join(' ')}: ${result.stderr}`);
        return result.stdout;
      };
      outputs.push((await runCli(['init', dir, ...db])).stdout);
      await run(['endpoint', 'add', 'src', '--url', dovecot.url, '--allow-plaintext']);
      await run([
        'endpoint',
        'add',
        'tgt',
        '--url',
        dovecot.url,
        '--allow-plaintext',
        '--admin',
        dovecot.masterUser,
      ]);
      const orgs = join(dir, '..', 'orgs.csv');
      writeFileSync(orgs, 'code,name\nA,Alpha\n');
      await run(['import', 'orgs', orgs]);
      const list = join(dir, '..', 'mailboxes.csv');
      writeFileSync(
        list,
        [
          'address,organisation,source_endpoint,source_user,source_password,target_endpoint,target_user',
          `alice@example.org,A,src,${alice.user},${alice.password},tgt,${alice.user}`,
          `bob@example.org,A,src,${bob.user},${wrongSecret},tgt,${bob.user}`,
          `broken,A,src,x,${userSecret},tgt,x`,
        ].join('\n'),
      );
      const rejects = join(dir, '..', 'rejects.csv');
      await run(['import', 'mailboxes', list, '--skip-invalid', rejects], 1);
      outputs.push(readFileSync(rejects, 'utf8'));
      await run(['discover']);
      outputs.push(await run(['discover', '--report', '--json'], 1));
      outputs.push(await run(['endpoint', 'list', '--json']));
      const secrets = [adminSecret, userSecret, wrongSecret, alice.password, dovecot.masterPassword];
      for (const secret of secrets) {
        for (const text of outputs) assert.ok(!text.includes(secret), `a secret in: ${text.slice(0, 300)}`);
        for (const file of readdirSync(dir)) assert.ok(!readFileSync(join(dir, file)).includes(secret), file);
      }
      assert.ok(
        outputs.some((o) => o.includes('bad-password')),
        'the wrong password was found and reported',
      );
      const logLines = outputs
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('{"level"'));
      assert.ok(logLines.length >= 2, 'discover logged a line per mailbox, and every one was checked');
    } finally {
      await dovecot.stop();
    }
  });
}
