import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../log/logger.js';
import { withDefaults } from '../programme/config/config.js';
import { openStateStore } from '../state/open-state-store.js';
import { seedServeFixture } from '../testing/serve-fixture.js';
import { storeBackends } from '../testing/store-backends.js';
import { buildServer } from './server.js';

const config = withDefaults({ name: 'Hostile', schedule: { weekday: { mailboxes: 4 } } }, '/nowhere');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const form = {
  'content-type': 'application/x-www-form-urlencoded',
  origin: 'http://localhost:80',
  host: 'localhost:80',
};

for (const [backend, location] of storeBackends()) {
  describe(`serve under hostile input on ${backend}`, () => {
    test("a long address is looked up (API and page); an org-admin gets the same 404 for another organisation's mailbox and a missing one", async () => {
      const db = await openStateStore(await location());
      const app = await buildServer({ db, config, logger: silentLogger() });
      try {
        const tokens = await seedServeFixture(db);
        const long = `${'l'.repeat(60)}@${'d'.repeat(60)}.${'e'.repeat(60)}.example.org`;
        assert.ok(long.length > 100 && long.length <= 254);
        await db
          .insertInto('mailbox')
          .values({
            address: long,
            organisation: 'A',
            source_endpoint: 'old',
            source_user: 'long',
            target_endpoint: 'new',
            target_user: long,
            notify_address: long,
          })
          .execute();
        const api = await app.inject({
          url: `/api/mailboxes/${encodeURIComponent(long)}`,
          headers: bearer(tokens.admin),
        });
        assert.equal(api.statusCode, 200, api.body);
        assert.equal(api.json<{ mailbox: { address: string } }>().mailbox.address, long);

        const t = tokens.orgA;
        const other = await app.inject({ url: '/api/mailboxes/bob@b.org', headers: bearer(t) });
        const missing = await app.inject({ url: '/api/mailboxes/bob@x.org', headers: bearer(t) });
        assert.deepEqual([other.statusCode, missing.statusCode], [404, 404]);
        assert.equal(other.body.replace('b.org', 'x.org'), missing.body);
        const cookie = String(
          (
            await app.inject({
              method: 'POST',
              url: '/login',
              headers: form,
              payload: new URLSearchParams({ token: t, next: '/' }).toString(),
            })
          ).headers['set-cookie'],
        ).split(';')[0]!;
        const page = await app.inject({ url: `/mailboxes/${encodeURIComponent(long)}`, headers: { cookie } });
        assert.equal(page.statusCode, 200);
        const otherPage = await app.inject({ url: '/mailboxes/bob@b.org', headers: { cookie } });
        const missingPage = await app.inject({ url: '/mailboxes/bob@x.org', headers: { cookie } });
        assert.deepEqual([otherPage.statusCode, missingPage.statusCode], [404, 404]);
        assert.equal(otherPage.body.replace('b.org', 'x.org'), missingPage.body);
      } finally {
        await app.close();
        await db.destroy();
      }
    });

    test('POST /login with control or non-ASCII characters in next: a redirect to /, never a 500', async () => {
      const db = await openStateStore(await location());
      const app = await buildServer({ db, config, logger: silentLogger() });
      try {
        const tokens = await seedServeFixture(db);
        for (const next of [
          '/a\u0001b',
          '/a\u0000',
          '/caf\u00e9',
          '/\u2028x',
          '/a\tb',
          '/%0d%0aSet-Cookie:x',
        ]) {
          const r = await app.inject({
            method: 'POST',
            url: '/login',
            headers: form,
            payload: new URLSearchParams({ token: tokens.admin, next }).toString(),
          });
          assert.equal(r.statusCode, 303, `${JSON.stringify(next)}: ${r.body}`);
          assert.ok(['/', next].includes(String(r.headers.location)), String(r.headers.location));
          const bad = await app.inject({
            method: 'POST',
            url: '/login',
            headers: form,
            payload: new URLSearchParams({ token: 'wrong', next }).toString(),
          });
          assert.equal(bad.statusCode, 401, JSON.stringify(next));
        }
      } finally {
        await app.close();
        await db.destroy();
      }
    });

    test('HSTS over HTTPS behind --trust-proxy, not over plain HTTP', async () => {
      const db = await openStateStore(await location());
      const plain = await buildServer({ db, config, logger: silentLogger() });
      const proxied = await buildServer({ db, config, logger: silentLogger(), trustProxy: true });
      try {
        await seedServeFixture(db);
        const https = await proxied.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(https.headers['strict-transport-security'], 'max-age=31536000');
        const http = await proxied.inject({ url: '/login' });
        assert.equal(http.headers['strict-transport-security'], undefined);
        const untrusted = await plain.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
        assert.equal(untrusted.headers['strict-transport-security'], undefined);
      } finally {
        await plain.close();
        await proxied.close();
        await db.destroy();
      }
    });
  });
}
