import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Insertable, Kysely } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import { openStateStore } from '../../state/open-state-store.js';
import type { Database, EndpointTable } from '../../state/schema.js';
import { SecretBox } from '../../state/secrets/secret-box.js';
import { generateSecretKey } from '../../state/secrets/secret-key.js';
import { mailboxLimit } from '../../limits/endpoint-room.js';
import { insertEndpoints } from '../../testing/state-rows.js';
import { storeBackends } from '../../testing/store-backends.js';
import { DEFAULT_LIMITS, Endpoints, type EndpointChanges, type EndpointInput } from './endpoints.js';

const PASSWORD = 'Adm1n-p@ss "quoted" ünïcode';
const source: EndpointInput = {
  ...DEFAULT_LIMITS,
  name: 'old-exchange',
  url: 'imaps://mail.example.org',
  insecure: false,
  allowPlaintext: false,
  admin: 'migration-admin',
  loginTemplate: undefined,
  adminPassword: PASSWORD,
  maxConnections: 20,
  bytesPerHour: 50_000_000_000,
};

for (const [backend, location] of storeBackends()) {
  describe(`endpoints on ${backend}`, () => {
    test('add, list without secrets, open the sealed password, remove', async () => {
      const db = await openStateStore(await location());
      const box = new SecretBox(generateSecretKey());
      try {
        const endpoints = new Endpoints(db, box);
        await endpoints.add(source);
        await endpoints.add({
          ...DEFAULT_LIMITS,
          ...source,
          name: 'new',
          url: 'imap://new:143',
          admin: undefined,
          adminPassword: undefined,
        });
        const listed = await endpoints.list();
        assert.deepEqual(
          listed.map((e) => [e.name, e.hasAdminPassword, e.maxConnections, e.bytesPerHour]),
          [
            ['new', false, 20, 50_000_000_000],
            ['old-exchange', true, 20, 50_000_000_000],
          ],
        );
        assert.ok(!JSON.stringify(listed).includes('p@ss'));
        const row = await db
          .selectFrom('endpoint')
          .select('admin_secret')
          .where('name', '=', 'old-exchange')
          .executeTakeFirstOrThrow();
        assert.match(row.admin_secret!, new RegExp(`^v1:${box.keyId}:`));
        assert.ok(!row.admin_secret!.includes('p@ss'));
        assert.equal(await endpoints.adminPassword('old-exchange'), PASSWORD);
        await assert.rejects(
          new Endpoints(db, new SecretBox(generateSecretKey())).adminPassword('old-exchange'),
          /sealed with key/,
        );
        await assert.rejects(endpoints.add(source), /exists already/);
        await endpoints.remove('new');
        await assert.rejects(
          endpoints.remove('new'),
          (e: unknown) => e instanceof TrancheError && e.type === 'usage',
        );
        assert.deepEqual(
          (await endpoints.list()).map((e) => e.name),
          ['old-exchange'],
        );
      } finally {
        await db.destroy();
      }
    });

    test('set changes settings in place, checked as add checks; a refused change changes nothing', async () => {
      const db = await openStateStore(await location());
      const box = new SecretBox(generateSecretKey());
      try {
        const endpoints = new Endpoints(db, box);
        await endpoints.add(source);
        const usage = (pattern: RegExp) => (e: unknown) =>
          e instanceof TrancheError && e.type === 'usage' && pattern.test(e.message);
        await assert.rejects(endpoints.set('nope', { maxMailboxes: 2 }), usage(/^no endpoint named nope$/));
        await assert.rejects(endpoints.set('old-exchange', {}), usage(/nothing to change/));
        await assert.rejects(
          endpoints.set('old-exchange', { maxMailboxes: 9, url: 'http://x' }),
          usage(/--url/),
        );
        await assert.rejects(
          endpoints.set('old-exchange', { admin: 'someone-else' }),
          usage(/an admin needs a password/),
        );
        await assert.rejects(
          endpoints.set('old-exchange', { admin: null, loginTemplate: '{user}*{admin}' }),
          usage(/--login-template needs --admin/),
        );
        const untouched = await endpoints.list();
        assert.equal(untouched[0]!.maxMailboxes, DEFAULT_LIMITS.maxMailboxes);

        const update = await endpoints.set('old-exchange', {
          maxMailboxes: 8,
          bytesPerHour: null,
          latencyThresholdMs: 500,
          insecure: true,
          adminPassword: 'n3w-p@ss',
        });
        assert.deepEqual(
          [update.before.maxMailboxes, update.before.bytesPerHour, update.before.insecure],
          [DEFAULT_LIMITS.maxMailboxes, 50_000_000_000, false],
        );
        assert.deepEqual(update.after, (await endpoints.list())[0]);
        assert.deepEqual(
          [update.after.maxMailboxes, update.after.bytesPerHour, update.after.latencyThresholdMs],
          [8, undefined, 500],
        );
        assert.equal(update.adminPasswordReplaced, true);
        assert.ok(!JSON.stringify(update).includes('p@ss'));
        assert.equal(await endpoints.adminPassword('old-exchange'), 'n3w-p@ss');
        // The same admin keeps its password; user logins forget it, and the login template with it.
        await endpoints.set('old-exchange', { admin: 'migration-admin', loginTemplate: '{user}*{admin}' });
        assert.equal(await endpoints.adminPassword('old-exchange'), 'n3w-p@ss');
        const users = await endpoints.set('old-exchange', { admin: null, insecure: false });
        assert.deepEqual(
          [users.after.admin, users.after.loginTemplate, users.after.hasAdminPassword, users.after.insecure],
          [undefined, undefined, false, false],
        );
        assert.equal(await endpoints.adminPassword('old-exchange'), undefined);
      } finally {
        await db.destroy();
      }
    });

    /** A fresh store with endpoint rows NAMES (user logins, and OVERRIDES) for WORK, closed after it. */
    const withRows = async (
      names: string[],
      overrides: Partial<Insertable<EndpointTable>>,
      work: (endpoints: Endpoints, db: Kysely<Database>) => Promise<void>,
    ): Promise<void> => {
      const db = await openStateStore(await location());
      try {
        await insertEndpoints(db, names, { admin: null, ...overrides });
        await work(new Endpoints(db, new SecretBox(generateSecretKey())), db);
      } finally {
        await db.destroy();
      }
    };
    const at = '2027-01-04T00:00:00.000Z';
    const row = (db: Kysely<Database>, name: string) =>
      db.selectFrom('endpoint').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

    test('set keeps the adaptive concurrency within max_mailboxes, and clears it with the threshold', async () => {
      const adapting = { max_mailboxes: 8, latency_threshold_ms: 500, concurrency_at: at };
      await withRows(['slow', 'fast'], adapting, async (endpoints, db) => {
        /** Holds NAME at CONCURRENCY (as slow logins would), applies CHANGES, and tells what is left. */
        const afterSet = async (name: string, concurrency: number, changes: EndpointChanges) => {
          await db.updateTable('endpoint').set({ concurrency }).where('name', '=', name).execute();
          await endpoints.set(name, changes);
          const after = await row(db, name);
          return { concurrency: after.concurrency, at: after.concurrency_at, limit: mailboxLimit(after) };
        };
        // Held down to 2: a new maximum above it leaves the server's figure alone.
        assert.deepEqual(await afterSet('slow', 2, { maxMailboxes: 16 }), { concurrency: 2, at, limit: 2 });
        assert.deepEqual(await afterSet('slow', 2, { maxMailboxes: 1 }), { concurrency: null, at, limit: 1 });
        // Held at 6 of 8: a lower maximum of 4 is the most it may be now; a higher one is used at once.
        assert.deepEqual(await afterSet('fast', 6, { maxMailboxes: 4 }), { concurrency: null, at, limit: 4 });
        assert.deepEqual(await afterSet('fast', 4, { maxMailboxes: 12 }), {
          concurrency: null,
          at,
          limit: 12,
        });
        // Without a threshold nothing adapts any more.
        assert.deepEqual(await afterSet('fast', 3, { latencyThresholdMs: null }), {
          concurrency: null,
          at: null,
          limit: 12,
        });
      });
    });

    test('set keeps the byte bucket within a minute of the new rate, and forgets it with the budget', async () => {
      // 3.6 MB per hour: a bucket of at most 60,000 bytes, holding 50,000.
      const budget = { bytes_per_hour: 3_600_000, budget_tokens: 50_000, budget_at: at };
      await withRows(['full', 'owing'], budget, async (endpoints, db) => {
        await db
          .updateTable('endpoint')
          .set({ budget_tokens: -20_000 })
          .where('name', '=', 'owing')
          .execute();
        const bucket = async (name: string) => {
          const { budget_tokens, budget_at } = await row(db, name);
          return { budget_tokens, budget_at };
        };
        // A tenth of the rate: at most 6,000 bytes at once; a debt is still owed.
        await endpoints.set('full', { bytesPerHour: 360_000 });
        await endpoints.set('owing', { bytesPerHour: 360_000 });
        assert.deepEqual(await bucket('full'), { budget_tokens: 6_000, budget_at: at });
        assert.deepEqual(await bucket('owing'), { budget_tokens: -20_000, budget_at: at });
        // A higher rate keeps what the bucket holds; it fills up at the new rate from budget_at.
        await endpoints.set('full', { bytesPerHour: 36_000_000 });
        assert.deepEqual(await bucket('full'), { budget_tokens: 6_000, budget_at: at });
        await endpoints.set('full', { bytesPerHour: null });
        assert.deepEqual(await bucket('full'), { budget_tokens: null, budget_at: null });
      });
    });
  });
}
