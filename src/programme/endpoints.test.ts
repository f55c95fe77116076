import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { openStateStore } from '../state/open-state-store.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { storeBackends } from '../testing/store-backends.js';
import { DEFAULT_LIMITS, Endpoints, type EndpointInput } from './endpoints.js';

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
  });
}
