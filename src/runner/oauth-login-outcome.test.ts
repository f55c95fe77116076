import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OAuthSetting } from '../credentials/token-source-spec.js';
import { withDefaults } from '../programme/config/config.js';
import { Endpoints } from '../programme/endpoints/endpoints.js';
import { firstStep } from '../programme/lifecycle/step-times.js';
import { openStateStore } from '../state/open-state-store.js';
import { SecretBox } from '../state/secrets/secret-box.js';
import { generateSecretKey } from '../state/secrets/secret-key.js';
import { freeLoopbackPort } from '../testing/dav-process.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { startOAuthServer, type OAuthServer } from '../testing/oauth-server.js';
import { tempStatePath } from '../testing/sync-fixture.js';
import { testEndpoint } from '../testing/test-endpoint.js';
import { insertScheduledMailbox } from '../testing/scheduled-mailbox.js';
import { runOnSimulatedClock } from '../testing/run-on-simulated-clock.js';

let oauth: OAuthServer;
let source: DovecotServer;
let target: DovecotServer;
before(async () => {
  oauth = await startOAuthServer({ refusedUsers: ['refused'] });
  [source, target] = await Promise.all([startDovecot(), startDovecot({ oauth2: oauth.keys })]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
  await oauth?.stop();
});

const plannedAt = new Date('2027-04-01T00:00:00Z');

/** Client credentials at TOKEN_URL with SECRET, a token per mailbox. */
function clientCredentials(tokenUrl: string, secret: string): OAuthSetting {
  return {
    spec: {
      kind: 'client-credentials',
      tokenUrl,
      clientId: oauth.clients[0]!.clientId,
      scope: undefined,
      params: [['user', '{user}']],
    },
    secret,
    mechanism: 'xoauth2',
  };
}

test('a token login refused at run time is recorded on the mailbox row by its OAuth2 kind, as discover would', async () => {
  const db = await openStateStore(tempStatePath());
  const box = new SecretBox(generateSecretKey());
  const config = withDefaults({ name: 'oauth-outcomes', lifecycle: { attempts: 2 } }, '/tmp');
  try {
    const endpoints = new Endpoints(db, box);
    const closedPort = await freeLoopbackPort();
    await endpoints.add(testEndpoint('old', source.url, source));
    const good = clientCredentials(oauth.tokenUrl, oauth.clients[0]!.clientSecret);
    await endpoints.add(testEndpoint('new', target.url, undefined, { oauth: good }));
    await endpoints.add(
      testEndpoint('wrong-secret', target.url, undefined, {
        oauth: clientCredentials(oauth.tokenUrl, 'not-the-secret'),
      }),
    );
    await endpoints.add(
      testEndpoint('no-answer', target.url, undefined, {
        oauth: clientCredentials(`http://127.0.0.1:${closedPort}/token`, 'whatever'),
      }),
    );
    const due = firstStep('2027-04-06', config.lifecycle, plannedAt);
    const cases = [
      { address: 'wrong@example.org', endpoint: 'wrong-secret', user: 'wrong', want: 'oauth-client-refused' },
      { address: 'refused@example.org', endpoint: 'new', user: 'refused', want: 'oauth-no-permission' },
      {
        address: 'gone@example.org',
        endpoint: 'no-answer',
        user: 'gone',
        want: 'token-endpoint-unreachable',
      },
    ];
    for (const c of cases) {
      const from = await source.addUser();
      await insertScheduledMailbox(db, {
        address: c.address,
        source: { endpoint: 'old', user: from.user },
        target: { endpoint: c.endpoint, user: c.user },
        day: '2027-04-06',
        due,
        extra: { source_login: 'ok', target_login: 'ok' },
      });
    }
    const totals = await runOnSimulatedClock({ db, box, config }, plannedAt);
    assert.equal(totals.ended, 'finished');
    const rows = await db.selectFrom('mailbox').selectAll().execute();
    for (const c of cases) {
      const row = rows.find((r) => r.address === c.address)!;
      assert.equal(row.state, 'failed', c.address);
      assert.equal(row.target_login, c.want, `${c.address}: ${row.failure_reason}`);
      assert.equal(row.source_login, 'ok', c.address);
      assert.ok(row.discover_detail?.startsWith('target: '), row.discover_detail ?? '');
      assert.ok(!row.discover_detail!.includes(oauth.clients[0]!.clientSecret));
    }
    // The unreachable token endpoint was retried (retryable) before it was recorded.
    const gone = rows.find((r) => r.address === 'gone@example.org')!;
    assert.equal(gone.attempts, 2);
    assert.match(gone.failure_reason ?? '', /after 2 attempts/);
  } finally {
    await db.destroy();
  }
});
