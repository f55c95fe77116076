import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { storageError } from '../state/storage-error.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

let postgres: PostgresServer;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.stop();
});

const tempDir = (): string => tempStatePath().replace(/\/state\.sqlite$/, '');
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

/** Whether this process may set file attributes (chattr) and mount: root on a file system that has them. */
function canAsRoot(dir: string, command: string[]): boolean {
  try {
    execFileSync(command[0]!, [...command.slice(1), dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('init with umask 000: the programme directory 0700, tranche.yaml, the key and the state database 0600', async () => {
  const dir = join(tempDir(), 'p');
  const umask = process.umask(0);
  try {
    const init = await runCli(['init', dir]);
    assert.equal(init.status, EXIT.ok, init.stderr);
    const status = await runCli(['status', '--programme', dir]);
    assert.equal(status.status, EXIT.ok, status.stderr);
  } finally {
    process.umask(umask);
  }
  assert.deepEqual(
    [dir, 'tranche.yaml', 'secret.key', 'state.sqlite'].map((f) => mode(f === dir ? dir : join(dir, f))),
    ['700', '600', '600', '600'],
  );
});

test('init --db postgres://user:PASSWORD@…: the password is not written to tranche.yaml, with a warning; the store works', async () => {
  const url = new URL(await postgres.createDatabase());
  url.password = 'pg-Secret-8d1e';
  const dir = join(tempDir(), 'p');
  const init = await runCli(['init', dir, '--db', url.toString()]);
  assert.equal(init.status, EXIT.ok, init.stderr);
  assert.match(init.stderr, /warning: the password in --db is not written to tranche\.yaml; .*PGPASSWORD/);
  assert.ok(!init.stdout.includes('pg-Secret-8d1e'));
  const yaml = readFileSync(join(dir, 'tranche.yaml'), 'utf8');
  assert.ok(!yaml.includes('pg-Secret-8d1e'), yaml);
  url.password = '';
  assert.ok(yaml.includes(JSON.stringify(url.toString())), yaml);
  const status = await runCli(['status', '--programme', dir]);
  assert.equal(status.status, EXIT.ok, status.stderr);
});

test('import orgs on a missing file or a directory: one line, exit 64', async () => {
  const dir = join(tempDir(), 'p');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  for (const [file, why] of [
    [join(dir, 'nowhere.csv'), /cannot read .*nowhere\.csv: no such file/],
    [dir, /cannot read .*: it is a directory/],
  ] as const) {
    for (const what of ['orgs', 'mailboxes']) {
      const result = await runCli(['import', what, file, '--programme', dir]);
      assert.equal(result.status, EXIT.usage, `${what} ${file}: ${result.stderr}`);
      assert.match(result.stderr, why);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
  }
});

test('a full disk (SQLite says SQLITE_FULL) is a state error, exit 74', () => {
  const db = new Database(':memory:');
  db.exec('create table t (x blob)');
  db.pragma('max_page_count = 4');
  let caught: unknown;
  try {
    for (let i = 0; i < 100; i++) db.prepare('insert into t values (?)').run(Buffer.alloc(4096));
  } catch (error) {
    caught = error;
  }
  db.close();
  const typed = storageError(caught);
  assert.equal(typed?.type, 'state');
  assert.match(typed.message, /disk holding the state store is full \(SQLITE_FULL/);
});

test('a full disk under tranche import (a small tmpfs filled up): exit 74 with one line, not 70', async (t) => {
  const mount = join(tempDir(), 'small');
  mkdirSync(mount);
  if (!canAsRoot(mount, ['mount', '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs'])) {
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  try {
    const dir = join(mount, 'p');
    assert.equal((await runCli(['init', dir])).status, EXIT.ok);
    // Full but for 256 KB: the store opens, and the import's transaction runs out of room.
    execFileSync('sh', [
      '-c',
      `dd if=/dev/zero of=${mount}/filler bs=64k 2>/dev/null; truncate -s -256K ${mount}/filler`,
    ]);
    const orgs = join(tempDir(), 'orgs.csv');
    writeFileSync(
      orgs,
      `code,name\n${Array.from({ length: 5000 }, (_, i) => `C${i},${'n'.repeat(200)}`).join('\n')}\n`,
    );
    const result = await runCli(['import', 'orgs', orgs, '--programme', dir]);
    assert.equal(result.status, EXIT.stateError, result.stderr);
    assert.match(result.stderr, /^tranche: the disk holding the state store is full \(SQLITE_FULL/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  } finally {
    execFileSync('umount', [mount]);
  }
});

test('an unwritable -shm or -wal file (chattr +i): exit 74 naming the file, never a SIGBUS or a 70', async (t) => {
  const dir = join(tempDir(), 'p');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  const probe = join(dir, 'probe');
  writeFileSync(probe, '');
  if (!canAsRoot(probe, ['chattr', '+i'])) {
    t.skip('needs chattr (root on ext4 or similar)');
    return;
  }
  execFileSync('chattr', ['-i', probe]);
  for (const companion of ['state.sqlite-shm', 'state.sqlite-wal']) {
    const file = join(dir, companion);
    writeFileSync(file, '');
    execFileSync('chattr', ['+i', file]);
    try {
      const orgs = join(tempDir(), 'orgs.csv');
      writeFileSync(orgs, 'code,name\nA,Alpha\n');
      const result = await runCli(['import', 'orgs', orgs, '--programme', dir]);
      assert.equal(result.signal, null);
      assert.equal(result.status, EXIT.stateError, result.stderr);
      assert.match(result.stderr, new RegExp(`cannot write .*${companion}`));
    } finally {
      execFileSync('chattr', ['-i', file]);
    }
  }
});
