// The audit trail is written in the transaction of the change: with a failure injected after the
// change but before the commit (a trigger that refuses the audit row), an organisation import, an
// endpoint add/set/pause/resume, a token's creation and its revocation leave neither the change nor the entry; without
// it, both. Real `tranche` processes on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { isPostgres } from '../state/store-kind.js';
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

/** Makes every insert into the audit trail fail: the failure after the change, before its commit. */
async function failAuditInserts(db: Kysely<Database>): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE OR REPLACE FUNCTION audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_fails BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_fails()`.execute(
      db,
    );
  } else {
    await sql`CREATE TRIGGER audit_fails BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(
      db,
    );
  }
}

/** Lets audit inserts through again. */
async function letAuditInserts(db: Kysely<Database>): Promise<void> {
  await sql`DROP TRIGGER audit_fails${isPostgres(db) ? sql` ON audit` : sql``}`.execute(db);
}

/** What the changes under test touch, as one comparable picture. */
async function picture(db: Kysely<Database>): Promise<Record<string, unknown>> {
  const endpoints = await db
    .selectFrom('endpoint')
    .select(['name', 'url', 'max_mailboxes', 'pause_reason'])
    .orderBy('name')
    .execute();
  const organisations = await db
    .selectFrom('organisation')
    .select(['code', 'name'])
    .orderBy('code')
    .execute();
  const tokens = await db.selectFrom('api_token').select(['name', 'role']).orderBy('name').execute();
  const audit = await db.selectFrom('audit').select(['action', 'subject']).orderBy('action').execute();
  return { endpoints, organisations, tokens, audit };
}

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  describe(`audit entries in the change's transaction on ${backend}`, () => {
    test('a failure before the commit leaves neither the change nor the entry; without it, both', async () => {
      const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
      const url = backend === 'PostgreSQL' ? await postgres.createDatabase() : join(dir, 'state.sqlite');
      const init = await runCli(['init', dir, ...(backend === 'PostgreSQL' ? ['--db', url] : [])]);
      assert.equal(init.status, EXIT.ok, init.stderr);
      const cli = (args: string[]) => runCli([...args, '--programme', dir]);
      // A paused endpoint to resume, an endpoint to change and pause, before the failures start.
      for (const args of [
        ['endpoint', 'add', 'old', '--url', 'imaps://old.example.org'],
        ['endpoint', 'add', 'busy', '--url', 'imaps://busy.example.org'],
        ['endpoint', 'pause', 'busy', '--reason', 'struggling'],
      ]) {
        const done = await cli(args);
        assert.equal(done.status, EXIT.ok, done.stderr);
      }
      const orgs = join(dir, '..', 'orgs.csv');
      writeFileSync(orgs, 'code,name\nA,Trust A\nB,Trust B\n');
      const changes = [
        ['import', 'orgs', orgs],
        ['endpoint', 'add', 'new', '--url', 'imaps://new.example.org'],
        ['endpoint', 'set', 'old', '--max-mailboxes', '9'],
        ['endpoint', 'pause', 'old', '--reason', 'maintenance'],
        ['endpoint', 'resume', 'busy', '--reason', 'fixed'],
        ['token', 'create', '--role', 'admin', '--name', 'lead'],
      ];
      const db = await openStateStore(url);
      try {
        const unchanged = await picture(db);
        await failAuditInserts(db);
        for (const args of changes) {
          const failed = await cli(args);
          assert.notEqual(failed.status, EXIT.ok, `${args.join(' ')} should fail`);
          assert.match(failed.stderr, /injected failure/, args.join(' '));
          assert.equal(failed.stdout.match(/^tranche_/m), null, 'no token shown for a token not kept');
          assert.deepEqual(await picture(db), unchanged, `${args.join(' ')} left something behind`);
        }
        await letAuditInserts(db);
        for (const args of changes) {
          const done = await cli(args);
          assert.equal(done.status, EXIT.ok, `${args.join(' ')}: ${done.stderr}`);
        }
        const changed = await picture(db);
        assert.deepEqual(changed.endpoints, [
          { name: 'busy', url: 'imaps://busy.example.org', max_mailboxes: 4, pause_reason: null },
          { name: 'new', url: 'imaps://new.example.org', max_mailboxes: 4, pause_reason: null },
          { name: 'old', url: 'imaps://old.example.org', max_mailboxes: 9, pause_reason: 'maintenance' },
        ]);
        assert.deepEqual(changed.organisations, [
          { code: 'A', name: 'Trust A' },
          { code: 'B', name: 'Trust B' },
        ]);
        assert.deepEqual(changed.tokens, [{ name: 'lead', role: 'admin' }]);
        const token = await db.selectFrom('api_token').select('id').executeTakeFirstOrThrow();
        const actions = (changed.audit as { action: string; subject: string }[]).map(
          (a) => `${a.action} ${a.subject}`,
        );
        assert.deepEqual(actions.sort(), [
          'endpoint.add busy',
          'endpoint.add new',
          'endpoint.add old',
          'endpoint.pause busy',
          'endpoint.pause old',
          'endpoint.resume busy',
          'endpoint.set old',
          'import.organisations orgs.csv',
          `token.create ${token.id}`,
        ]);
        // A revocation too: with the audit refused the token stays live; allowed, both are written.
        const revokedAt = async () =>
          (
            await db
              .selectFrom('api_token')
              .select('revoked_at')
              .where('id', '=', token.id)
              .executeTakeFirstOrThrow()
          ).revoked_at;
        await failAuditInserts(db);
        const refused = await cli(['token', 'revoke', token.id]);
        assert.notEqual(refused.status, EXIT.ok, 'token revoke should fail');
        assert.match(refused.stderr, /injected failure/);
        assert.equal(await revokedAt(), null, 'token revoke left the token revoked without its entry');
        await letAuditInserts(db);
        const revoked = await cli(['token', 'revoke', token.id]);
        assert.equal(revoked.status, EXIT.ok, revoked.stderr);
        assert.notEqual(await revokedAt(), null);
        const entries = await db
          .selectFrom('audit')
          .select('subject')
          .where('action', '=', 'token.revoke')
          .execute();
        assert.deepEqual(entries, [{ subject: token.id }]);
      } finally {
        await db.destroy();
      }
    });
  });
}
