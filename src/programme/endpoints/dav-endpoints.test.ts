import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TrancheError } from '../../errors/tranche-error.js';
import { openStateStore } from '../../state/open-state-store.js';
import { SecretBox } from '../../state/secrets/secret-box.js';
import { generateSecretKey } from '../../state/secrets/secret-key.js';
import { storeBackends } from '../../testing/store-backends.js';
import { blockerReason } from '../discover/discover.js';
import { davEndpointFor } from './dav-login.js';
import { loginFor } from './mailbox-login.js';
import { DEFAULT_LIMITS, Endpoints, type EndpointInput } from './endpoints.js';

const PASSWORD = 'Adm1n-p@ss';
const endpoint: EndpointInput = {
  ...DEFAULT_LIMITS,
  name: 'old',
  url: 'imaps://mail.example.org',
  insecure: false,
  allowPlaintext: false,
  admin: 'migration-admin',
  loginTemplate: undefined,
  adminPassword: PASSWORD,
  davUrl: 'https://dav.example.org/{user}/',
};

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof TrancheError && error.type === 'usage' && pattern.test(error.message);

for (const [backend, location] of storeBackends()) {
  describe(`endpoints with a DAV address on ${backend}`, () => {
    test('stored, listed without secrets, changed, cleared; a login in the URL or another scheme refused', async () => {
      const db = await openStateStore(await location());
      const box = new SecretBox(generateSecretKey());
      try {
        const endpoints = new Endpoints(db, box);
        await endpoints.add(endpoint);
        await endpoints.add({ ...endpoint, name: 'mail-only', davUrl: undefined });
        const listed = await endpoints.list();
        assert.deepEqual(
          listed.map((e) => [e.name, e.davUrl]),
          [
            ['mail-only', undefined],
            ['old', 'https://dav.example.org/{user}/'],
          ],
        );
        assert.ok(!JSON.stringify(listed).includes(PASSWORD));
        await assert.rejects(
          endpoints.add({ ...endpoint, name: 'bad', davUrl: 'https://admin:secret@dav.example.org/' }),
          usage(/--dav: put no login in the URL/),
        );
        await assert.rejects(
          endpoints.set('old', { davUrl: 'ftp://dav.example.org/' }),
          usage(/--dav: expected http:\/\/ or https:\/\//),
        );
        const changed = await endpoints.set('old', { davUrl: 'https://cal.example.org/dav/{user}/' });
        assert.equal(changed.before.davUrl, 'https://dav.example.org/{user}/');
        assert.equal(changed.after.davUrl, 'https://cal.example.org/dav/{user}/');

        // The DAV side logs in as the mail side: the admin on the user's behalf, {user} the mailbox's user.
        const row = await db
          .selectFrom('endpoint')
          .selectAll()
          .where('name', '=', 'old')
          .executeTakeFirstOrThrow();
        const dav = davEndpointFor(row, loginFor(row, 'anne.o@example.org', null, box));
        assert.equal(dav?.url.toString(), 'https://cal.example.org/dav/anne.o%40example.org/');
        assert.deepEqual(dav?.login, { kind: 'basic', user: 'migration-admin', password: PASSWORD });
        assert.equal(dav?.asAdmin, true);
        assert.equal(dav?.user, 'anne.o@example.org');

        const cleared = await endpoints.set('old', { davUrl: null });
        assert.equal(cleared.after.davUrl, undefined);
        const mailOnly = await db
          .selectFrom('endpoint')
          .selectAll()
          .where('name', '=', 'old')
          .executeTakeFirstOrThrow();
        assert.equal(davEndpointFor(mailOnly, loginFor(mailOnly, 'anne', null, box)), undefined);
      } finally {
        await db.destroy();
      }
    });
  });
}

test('a DAV login that failed at discovery blocks scheduling, in words; none recorded blocks nothing', () => {
  const ok = { source_login: 'ok', target_login: 'ok', discover_detail: null };
  assert.equal(blockerReason({ ...ok, source_dav_login: null, target_dav_login: null }), undefined);
  assert.equal(blockerReason({ ...ok, source_dav_login: 'ok', target_dav_login: 'ok' }), undefined);
  assert.equal(
    blockerReason({
      ...ok,
      source_dav_login: 'ok',
      target_dav_login: 'bad-password',
      discover_detail: 'target DAV: dav.example.org refused the login (401)',
    }),
    'target DAV login: bad-password (target DAV: dav.example.org refused the login (401))',
  );
});
