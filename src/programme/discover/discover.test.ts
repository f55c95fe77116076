import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStateStore } from '../../state/open-state-store.js';
import { SecretBox } from '../../state/secrets/secret-box.js';
import { generateSecretKey } from '../../state/secrets/secret-key.js';
import { generateCorpus, loadCorpus } from '../../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../../testing/dovecot.js';
import { storeBackends } from '../../testing/store-backends.js';
import { testEndpoint } from '../../testing/test-endpoint.js';
import { Endpoints } from '../endpoints/endpoints.js';
import { discover, schedulingBlockers } from './discover.js';

let source: DovecotServer;
let target: DovecotServer;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

for (const [backend, location] of storeBackends()) {
  describe(`discover on ${backend}`, () => {
    test('records logins by kind (ok, bad password, disabled, unreachable) and the size of each source mailbox', async () => {
      const db = await openStateStore(await location());
      const box = new SecretBox(generateSecretKey());
      try {
        const endpoints = new Endpoints(db, box);
        await endpoints.add(testEndpoint('src', source.url, undefined, { maxConnections: 2 }));
        await endpoints.add(testEndpoint('tgt', target.url, target));
        await endpoints.add(testEndpoint('down', 'imap://127.0.0.1:1'));
        const good = await source.addUser();
        const wrong = await source.addUser();
        const locked = await source.addUser();
        await source.disableUser(locked.user);
        await loadCorpus(
          source,
          good,
          generateCorpus({ seed: 31, messages: 30, folders: ['INBOX', 'Work', 'Work/2024'] }),
        );
        const rows = [
          { who: good, endpoint: 'src', password: good.password },
          { who: wrong, endpoint: 'src', password: 'not-the-password' },
          { who: locked, endpoint: 'src', password: locked.password },
          { who: good, endpoint: 'down', password: 'x', address: 'gone@example.org' },
        ];
        for (const r of rows) {
          const t = await target.addUser();
          await db
            .insertInto('mailbox')
            .values({
              address: r.address ?? `${r.who.user}@example.org`,
              organisation: null,
              source_endpoint: r.endpoint,
              source_user: r.who.user,
              source_secret: box.seal(r.password),
              target_endpoint: 'tgt',
              target_user: t.user,
              target_secret: null,
              notify_address: 'n@example.org',
            })
            .execute();
        }
        const report = await discover(db, box);
        assert.equal(report.mailboxes, 4);
        assert.deepEqual(report.source, {
          ok: 1,
          'bad-password': 1,
          disabled: 1,
          unreachable: 1,
          'no-password': 0,
          error: 0,
        });
        assert.equal(report.target.ok, 4);
        assert.equal(report.messages, 30);
        const found = await db
          .selectFrom('mailbox')
          .selectAll()
          .where('address', '=', `${good.user}@example.org`)
          .executeTakeFirstOrThrow();
        assert.equal(Number(found.message_count), 30);
        assert.ok(Number(found.folder_count) >= 3 && Number(found.size_bytes) > 30 * 2000);
        const blockers = await schedulingBlockers(db);
        assert.deepEqual(
          blockers.map((b) => [b.address, b.reason.split(' (')[0]]).sort(),
          [
            [`${locked.user}@example.org`, 'source login: disabled'],
            [`${wrong.user}@example.org`, 'source login: bad-password'],
            ['gone@example.org', 'source login: unreachable'],
          ].sort(),
        );
        assert.ok(!JSON.stringify(blockers).includes('not-the-password'));
      } finally {
        await db.destroy();
      }
    });
  });
}
