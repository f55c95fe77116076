import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../log/logger.js';
import { withDefaults } from '../programme/config/config.js';
import { storeBackends } from '../testing/store-backends.js';
import { WorkerRegistry } from '../runner/worker-registry.js';
import { listTokens, revokeToken } from './auth/api-tokens.js';
import { bearer, login, withServer as withServed, type Served } from '../testing/served-fixture.js';
import { buildServer } from './server.js';

const config = withDefaults({ name: 'Serve test', schedule: { weekday: { mailboxes: 4 } } }, '/nowhere');

/** The fixture served with this file's configuration. */
const withServer = (location: () => Promise<string>, work: (s: Served) => Promise<void>) =>
  withServed(location, config, work);

async function getJson<T>(app: FastifyInstance, url: string, token: string, status = 200): Promise<T> {
  const r = await app.inject({ method: 'GET', url, headers: bearer(token) });
  assert.equal(r.statusCode, status, `${url}: ${r.body}`);
  assert.match(String(r.headers['content-type']), /application\/json/);
  return r.json();
}

for (const [backend, location] of storeBackends()) {
  describe(`tranche serve API on ${backend}`, () => {
    test('no token or a wrong one: 401; a revoked token: 401; tokens listed without secrets', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        for (const headers of [{}, bearer('tranche_wrong'), { authorization: tokens.admin }]) {
          const r = await app.inject({ url: '/api/overview', headers });
          assert.equal(r.statusCode, 401);
          assert.match(r.json<{ error: string }>().error, /valid token/);
        }
        const me = await getJson<{ role: string; areas: string[] }>(app, '/api/me', tokens.orgA);
        assert.deepEqual(me, {
          name: 'test org-admin',
          role: 'org-admin',
          areas: ['overview', 'calendar', 'organisations', 'failures', 'lookup', 'exports'],
          organisations: ['A'],
          actions: ['hold', 'release', 'move'],
          oneMailbox: false,
          force: false,
        });
        const listed = await listTokens(db);
        assert.equal(listed.length, 4);
        assert.ok(listed.every((t) => t.lastUsedAt === null || t.role === 'org-admin'));
        const secrets = [tokens.admin, tokens.orgA, tokens.helpdesk, tokens.metrics];
        const text = JSON.stringify(listed);
        for (const token of secrets) assert.ok(!text.includes(token));
        const stored = JSON.stringify(await db.selectFrom('api_token').selectAll().execute());
        for (const token of secrets) assert.ok(!stored.includes(token), 'a token stored in clear');
        await revokeToken(db, listed.find((t) => t.role === 'helpdesk')!.id, new Date());
        assert.equal(
          (await app.inject({ url: '/api/mailboxes/ann@a.org', headers: bearer(tokens.helpdesk) }))
            .statusCode,
          401,
        );
        await assert.rejects(revokeToken(db, 'tk-none', new Date()), { type: 'usage' });
      });
    });

    test('admin: the overview matches the store; security headers on every reply', async () => {
      await withServer(location, async ({ app, tokens }) => {
        const r = await app.inject({ url: '/api/overview', headers: bearer(tokens.admin) });
        const headers: [string, string][] = [
          ['x-content-type-options', 'nosniff'],
          ['x-frame-options', 'DENY'],
          ['cache-control', 'no-store'],
        ];
        for (const [name, value] of headers) assert.equal(r.headers[name], value);
        assert.match(
          String(r.headers['content-security-policy']),
          /default-src 'self'.*frame-ancestors 'none'/,
        );
        const o = r.json<{
          summary: {
            mailboxes: number;
            states: Record<string, number>;
            successRate: number;
            now: string;
            copied: { bytes: number };
          };
          daily: { day: string; mailboxesDone: number }[];
          upcoming: { day: string; planned: number }[];
        }>();
        assert.equal(o.summary.mailboxes, 9);
        assert.deepEqual(o.summary.states, {
          imported: 1,
          scheduled: 2,
          prestaged: 1,
          cutover: 0,
          done: 3,
          failed: 2,
        });
        assert.equal(o.summary.successRate, 3 / 5);
        assert.equal(o.summary.copied.bytes, 2_500_000);
        // "Now" is the programme clock: the latest finished pass.
        assert.equal(o.summary.now, '2027-03-04T11:30:00.000Z');
        assert.equal(o.daily.length, 30);
        assert.deepEqual(
          o.daily.filter((d) => d.mailboxesDone > 0).map((d) => [d.day, d.mailboxesDone]),
          [
            ['2027-03-01', 1],
            ['2027-03-02', 2],
          ],
        );
        assert.deepEqual(
          o.upcoming.map((d) => [d.day, d.planned]),
          [
            ['2027-03-05', 1],
            ['2027-03-08', 2],
          ],
        );
      });
    });

    test('org-admin: only its organisation, everywhere (API and pages), clean 403s', async () => {
      await withServer(location, async ({ app, tokens }) => {
        const t = tokens.orgA;
        const o = await getJson<{
          summary: { mailboxes: number; organisation: string; failures: { type: string }[] };
        }>(app, '/api/overview', t);
        assert.deepEqual(
          [o.summary.mailboxes, o.summary.organisation, o.summary.failures.map((f) => f.type)],
          [5, 'A', ['quota']],
        );
        const orgs = await getJson<{ organisations: { code: string }[] }>(app, '/api/organisations', t);
        assert.deepEqual(
          orgs.organisations.map((r) => r.code),
          ['A'],
        );
        const calendar = await getJson<{ days: { day: string; planned: number }[] }>(app, '/api/calendar', t);
        assert.equal(
          calendar.days.reduce((n, d) => n + d.planned, 0),
          5,
        );
        const day = await getJson<{ mailboxes: { address: string }[] }>(app, '/api/calendar/2027-03-02', t);
        assert.deepEqual(
          day.mailboxes.map((m) => m.address),
          ['abe@a.org'],
        );
        const failures = await getJson<{ mailboxes: { address: string }[] }>(app, '/api/failures/auth', t);
        assert.deepEqual(failures.mailboxes, []);
        await getJson(app, '/api/mailboxes/ann@a.org', t);
        for (const url of [
          '/api/organisations/B',
          '/api/organisations/B/mailboxes',
          '/api/exports/organisations/B.csv',
          '/metrics',
        ])
          assert.match((await getJson<{ error: string }>(app, url, t, 403)).error, /^forbidden: /, url);
        // Another organisation's mailbox, one in none and one not there: the same 404 (nothing learnt).
        for (const url of [
          '/api/mailboxes/bob@b.org',
          '/api/mailboxes/nobody@c.org',
          '/api/mailboxes/nobody-at-all@x.org',
        ])
          assert.match((await getJson<{ error: string }>(app, url, t, 404)).error, /^no mailbox /, url);

        const cookie = await login(app, t);
        const page = (url: string) => app.inject({ url, headers: { cookie } });
        const own = await page('/organisations/A');
        assert.equal(own.statusCode, 200);
        assert.match(own.body, /<script src="\/assets\/dashboard.js"><\/script>/);
        assert.equal((await page('/mailboxes/bob@b.org')).statusCode, 404);
        for (const url of ['/organisations/B']) {
          const refused = await page(url);
          assert.equal(refused.statusCode, 403, url);
          assert.match(String(refused.headers['content-type']), /text\/html/);
          assert.match(refused.body, /<h1>Forbidden<\/h1>/);
        }
        // The session cookie opens the API the same way, and is refused the same way.
        assert.equal(
          (await app.inject({ url: '/api/organisations/B', headers: { cookie } })).statusCode,
          403,
        );
        assert.equal(
          (await app.inject({ url: '/api/organisations/A', headers: { cookie } })).statusCode,
          200,
        );
      });
    });

    test('helpdesk: the lookup only, in plain words, with notices, passes and skipped items', async () => {
      await withServer(location, async ({ app, tokens }) => {
        const t = tokens.helpdesk;
        const r = await getJson<{
          explanation: string[];
          mailbox: {
            state: string;
            batchDay: string;
            skippedTotal: number;
            skipped: { reason: string }[];
            lastFailure: { label: string };
          };
          notices: { kind: string; state: string }[];
        }>(app, '/api/mailboxes/%20AMY@a.org', t);
        assert.equal(r.mailbox.state, 'failed');
        assert.equal(r.mailbox.batchDay, '2027-03-03');
        assert.equal(r.mailbox.lastFailure.label, 'target mailbox full');
        assert.equal(r.mailbox.skippedTotal, 2);
        assert.match(
          r.explanation[0]!,
          /^The move failed: target mailbox full \(“Quota exceeded \(mailbox for user is full\)”\)/,
        );
        assert.match(r.explanation.join(' '), /2 messages were not copied/);
        assert.deepEqual(
          r.notices.map((n) => [n.kind, n.state]),
          [['failure', 'pending']],
        );
        const ann = await getJson<{ explanation: string[]; notices: { kind: string }[] }>(
          app,
          '/api/mailboxes/ann@a.org',
          t,
        );
        assert.deepEqual(ann.explanation, [
          'Moved on 2027-03-01: every message was copied and checked.',
          'The user was told about the day on 2027-02-15.',
        ]);
        assert.deepEqual(
          ann.notices.map((n) => n.kind),
          ['warning', 'success'],
        );
        for (const url of [
          '/api/overview',
          '/api/failures',
          '/api/calendar',
          '/api/exports/failures.csv',
          '/metrics',
        ])
          await getJson(app, url, t, 403);
        const cookie = await login(app, t);
        const landing = await app.inject({ url: '/', headers: { cookie } });
        assert.deepEqual([landing.statusCode, landing.headers.location], [303, '/lookup']);
        assert.equal((await app.inject({ url: '/failures', headers: { cookie } })).statusCode, 403);
        // Injection attempts are just addresses that are not there.
        await getJson(app, `/api/mailboxes/${encodeURIComponent("x' OR '1'='1")}`, t, 404);
      });
    });

    test('login and logout: CSRF refused, sessions hashed, pages redirect to the login form', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const post = (url: string, headers: Record<string, string>, token = tokens.admin) =>
          app.inject({
            method: 'POST',
            url,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              host: 'localhost:80',
              ...headers,
            },
            payload: `token=${encodeURIComponent(token)}`,
          });
        const crossSite: Record<string, string>[] = [
          { origin: 'null' },
          { origin: 'http://localhost:8080' },
          { origin: 'http://evil.example' },
          { 'sec-fetch-site': 'cross-site' },
          { 'sec-fetch-site': 'same-site' },
        ];
        for (const headers of crossSite) {
          const r = await post('/login', headers);
          assert.equal(r.statusCode, 403, JSON.stringify(headers));
          assert.equal(r.headers['set-cookie'], undefined);
        }
        const bad = await post('/login', { origin: 'http://localhost:80' }, 'tranche_nope');
        assert.equal(bad.statusCode, 401);
        assert.match(bad.body, /That token is not valid/);
        assert.ok(!bad.body.includes('tranche_nope'));
        const cookie = await login(app, tokens.admin);
        const sessions = await db.selectFrom('api_session').select('id_hash').execute();
        assert.equal(sessions.length, 1);
        assert.ok(!cookie.includes(sessions[0]!.id_hash));
        assert.equal((await app.inject({ url: '/', headers: { cookie } })).statusCode, 200);
        assert.equal((await post('/logout', { cookie, origin: 'http://evil.example' })).statusCode, 403);
        const out = await post('/logout', { cookie, origin: 'http://localhost:80' });
        assert.deepEqual([out.statusCode, out.headers.location], [303, '/login']);
        const after = await app.inject({ url: '/failures', headers: { cookie } });
        assert.deepEqual([after.statusCode, after.headers.location], [303, '/login?next=%2Ffailures']);
        // Behind a TLS proxy the browser's origin is https while this hop is http: hosts are compared.
        const proxied = await post('/login', { origin: 'https://localhost:80' });
        assert.equal(proxied.statusCode, 303);
        assert.ok(!String(proxied.headers['set-cookie']).includes('Secure'));
        const behindProxy = await buildServer({ db, config, logger: silentLogger(), trustProxy: true });
        try {
          const secure = await behindProxy.inject({
            method: 'POST',
            url: '/login',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              host: 'localhost:80',
              'x-forwarded-proto': 'https',
              origin: 'https://localhost:80',
            },
            payload: `token=${encodeURIComponent(tokens.admin)}`,
          });
          assert.match(String(secure.headers['set-cookie']), /; Secure$/);
        } finally {
          await behindProxy.close();
        }
        // After login, only local paths: never another site.
        const loginForm = await app.inject({ url: '/login?next=//evil.example/x' });
        assert.match(loginForm.body, /name="next" value="\/"/);
      });
    });

    test('CSV exports: an organisation, a day, the failures; scoped; formulas defused', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        await db
          .updateTable('mailbox')
          .set({ failure_reason: '=cmd|calc' })
          .where('address', '=', 'bob@b.org')
          .execute();
        const csv = async (url: string, token: string) => {
          const r = await app.inject({ url, headers: bearer(token) });
          assert.equal(r.statusCode, 200, r.body);
          assert.match(String(r.headers['content-type']), /^text\/csv/);
          assert.match(String(r.headers['content-disposition']), /^attachment; filename="/);
          return r.body.trimEnd().split('\r\n');
        };
        const header =
          'address,organisation,state,batch_day,next_step,next_due_at,failure_type,failure,failure_reason,size_bytes,copied_bytes';
        const failures = await csv('/api/exports/failures.csv', tokens.admin);
        assert.deepEqual(failures, [
          header,
          'amy@a.org,A,failed,2027-03-03,,,quota,target mailbox full,Quota exceeded (mailbox for user is full),,400000',
          "bob@b.org,B,failed,2027-03-02,,,auth,login refused,'=cmd|calc,,0",
        ]);
        assert.deepEqual((await csv('/api/exports/failures.csv', tokens.orgA)).length, 2);
        const org = await csv('/api/exports/organisations/A.csv', tokens.orgA);
        assert.deepEqual(
          org.slice(1).map((l) => l.split(',')[0]),
          ['abe@a.org', 'ali@a.org', 'amy@a.org', 'ann@a.org', 'art@a.org'],
        );
        const day = await csv('/api/exports/days/2027-03-02.csv', tokens.orgA);
        assert.deepEqual(
          day.slice(1).map((l) => l.split(',')[0]),
          ['abe@a.org'],
        );
        assert.equal((await csv('/api/exports/days/2027-03-02.csv', tokens.admin)).length, 4);
        assert.equal(
          (await app.inject({ url: '/api/exports/organisations/ZZ.csv', headers: bearer(tokens.admin) }))
            .statusCode,
          404,
        );
        assert.equal(
          (await app.inject({ url: '/api/exports/days/tomorrow.csv', headers: bearer(tokens.admin) }))
            .statusCode,
          400,
        );
      });
    });

    test('/metrics: programme-wide figures kept in memory up to --refresh; workers and endpoint load read live', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const scrape = async (): Promise<(line: string) => number> => {
          const r = await app.inject({ url: '/metrics', headers: bearer(tokens.metrics) });
          assert.equal(r.statusCode, 200);
          return (line) =>
            Number(
              r.body
                .split('\n')
                .find((l) => l.startsWith(`${line} `))
                ?.split(' ')
                .at(-1),
            );
        };
        const first = await scrape();
        assert.equal(first('tranche_mailboxes{state="done"}'), 3);
        // A worker takes a mailbox, and another mailbox is done meanwhile.
        const registry = new WorkerRegistry(db, 'vm:1:w', 40_000);
        await registry.register('worker', 4);
        await db
          .updateTable('mailbox')
          .set({ lease_owner: 'vm:1:w', lease_until: new Date(Date.now() + 60_000).toISOString() })
          .where('address', '=', 'art@a.org')
          .execute();
        await db.updateTable('mailbox').set({ state: 'done' }).where('address', '=', 'ben@b.org').execute();
        const second = await scrape();
        // The figures are the ones computed a moment ago (the next refresh brings the new one)...
        assert.equal(second('tranche_mailboxes{state="done"}'), 3);
        // ...while the load is live: one mailbox on each endpoint, one worker.
        assert.equal(second('tranche_endpoint_mailboxes{endpoint="old"}'), 1);
        assert.equal(second('tranche_endpoint_mailboxes{endpoint="new"}'), 1);
        assert.ok(second('tranche_endpoint_connections{endpoint="new"}') >= 1);
        assert.equal(second('tranche_workers_alive{mode="worker"}'), 1);
        assert.equal(second('tranche_leaders'), 0);
      });
    });

    test('/metrics: Prometheus text read from the store, for metrics and admin tokens', async () => {
      await withServer(location, async ({ app, tokens }) => {
        const r = await app.inject({ url: '/metrics', headers: bearer(tokens.metrics) });
        assert.equal(r.statusCode, 200);
        assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
        const value = (line: string) => {
          const found = r.body.split('\n').find((l) => l.startsWith(`${line} `));
          assert.ok(found, `${line} in ${r.body}`);
          return Number(found.split(' ').at(-1));
        };
        assert.equal(value('tranche_mailboxes{state="done"}'), 3);
        assert.equal(value('tranche_mailboxes{state="cutover"}'), 0);
        assert.equal(value('tranche_copied_bytes'), 2_500_000);
        assert.equal(value('tranche_copied_messages'), 250);
        assert.equal(value('tranche_failed_mailboxes{type="quota"}'), 1);
        assert.equal(value('tranche_failed_mailboxes{type="auth"}'), 1);
        assert.equal(value('tranche_pass_errors{type="throttled"}'), 1);
        assert.equal(value('tranche_throttled_passes'), 1);
        assert.equal(value('tranche_throttled_seconds'), 120);
        assert.equal(value('tranche_queue_depth'), 1);
        assert.equal(value('tranche_copy_rate_bytes_per_second'), 0);
        assert.ok(value('tranche_figures_age_seconds') >= 0);
        assert.equal(value('tranche_endpoint_mailboxes{endpoint="old"}'), 0);
        assert.equal(value('tranche_endpoint_mailbox_limit{endpoint="new"}'), 10);
        assert.equal(value('tranche_endpoint_connection_limit{endpoint="new"}'), 10);
        assert.equal(value('tranche_workers_alive{mode="worker"}'), 0);
        assert.equal(value('tranche_steps_handed_out'), 0);
        assert.equal((await app.inject({ url: '/metrics', headers: bearer(tokens.admin) })).statusCode, 200);
        assert.equal(
          (await app.inject({ url: '/api/overview', headers: bearer(tokens.metrics) })).statusCode,
          403,
        );
      });
    });

    test('the OpenAPI document describes every API route and its security', async () => {
      await withServer(location, async ({ app }) => {
        const r = await app.inject({ url: '/api/openapi.json' });
        assert.equal(r.statusCode, 200);
        const doc = r.json<{
          openapi: string;
          paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
          components: { securitySchemes: Record<string, unknown> };
        }>();
        assert.equal(doc.openapi, '3.0.3');
        assert.deepEqual(Object.keys(doc.components.securitySchemes), ['bearer', 'session']);
        assert.deepEqual(Object.keys(doc.paths).sort(), [
          '/api/calendar',
          '/api/calendar/{day}',
          '/api/endpoints',
          '/api/exports/days/{day}.csv',
          '/api/exports/failures.csv',
          '/api/exports/organisations/{code}.csv',
          '/api/failures',
          '/api/failures/{type}',
          '/api/mailboxes/{address}',
          '/api/me',
          '/api/organisations',
          '/api/organisations/{code}',
          '/api/organisations/{code}/mailboxes',
          '/api/overview',
          '/metrics',
        ]);
        for (const [path, ops] of Object.entries(doc.paths)) {
          assert.deepEqual(Object.keys(ops), ['get'], path);
          assert.ok(ops.get!.responses['200'], path);
        }
        // No page or login route is in the API's description; nothing but GET reads data.
        assert.ok(!JSON.stringify(doc).includes('/login'));
      });
    });
  });
}
