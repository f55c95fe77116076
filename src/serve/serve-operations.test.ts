// The day-to-day actions through the API (POST /api/mailboxes/:action, /api/organisations/:code/:action,
// /api/days/:day/:action, /api/endpoints/:name/:action) against a real programme store, on both
// backends: each action's effect and audit entry, the dry run, roles, all or nothing, CSRF.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, withDefaults } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import {
  bearer,
  login,
  sameOrigin,
  withServer as withServed,
  type Served,
} from '../testing/served-fixture.js';
import { storeBackends } from '../testing/store-backends.js';

const config = withDefaults({ name: 'Operations test', schedule: { weekday: { mailboxes: 4 } } }, '/nowhere');
const withServer = (location: () => Promise<string>, work: (s: Served) => Promise<void>) =>
  withServed(location, config, work);

/** A Monday after the notice period (14 days from the fixture's 4 March 2027). */
const LATER = '2027-03-22';

interface Answer {
  action: string;
  changed: number;
  summary: string[];
  warnings: string[];
  notices: { rescheduled: number; cancelled: number };
  dryRun: boolean;
}

/** POSTs BODY as JSON to URL with HEADERS; returns the status and the answer. */
async function post(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<{ status: number; answer: Answer & { error?: string } }> {
  const r = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
  return { status: r.statusCode, answer: r.json() };
}

/** POSTs as TOKEN and expects STATUS. */
async function act(
  app: FastifyInstance,
  token: string,
  url: string,
  body: Record<string, unknown>,
  status = 200,
): Promise<Answer & { error?: string }> {
  const r = await post(app, url, bearer(token), body);
  assert.equal(r.status, status, `${url}: ${JSON.stringify(r.answer)}`);
  return r.answer;
}

/** Everything an action may change: mailboxes, endpoints, days, notices, the audit trail. */
async function snapshot(db: Kysely<Database>): Promise<string> {
  const [mailboxes, endpoints, days, notices, audit] = await Promise.all([
    db
      .selectFrom('mailbox')
      .select(['address', 'state', 'batch_day', 'pinned_day', 'hold_reason', 'exclude_reason', 'next_step'])
      .orderBy('address')
      .execute(),
    db.selectFrom('endpoint').select(['name', 'pause_reason', 'pause_now']).orderBy('name').execute(),
    db.selectFrom('programme_day').selectAll().orderBy('day').execute(),
    db.selectFrom('notice').select(['subject', 'kind', 'state']).orderBy('subject').orderBy('kind').execute(),
    db
      .selectFrom('audit')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return JSON.stringify({ mailboxes, endpoints, days, notices, audit: Number(audit.n) });
}

const mailboxRow = (db: Kysely<Database>, address: string) =>
  db
    .selectFrom('mailbox')
    .select(['state', 'batch_day', 'pinned_day', 'hold_reason', 'exclude_reason'])
    .where('address', '=', address)
    .executeTakeFirstOrThrow();

/** The newest audit entry of SUBJECT through the API, as ADMIN reads it. */
async function lastAudit(app: FastifyInstance, token: string, query: string) {
  const r = await app.inject({ url: `/api/audit?${query}`, headers: bearer(token) });
  assert.equal(r.statusCode, 200, r.body);
  return r.json<{ audit: { actor: string; action: string; reason: string | null; change: string }[] }>()
    .audit[0];
}

for (const [backend, location] of storeBackends()) {
  describe(`the operations API on ${backend}`, () => {
    test('admin: each mailbox action changes the store and writes its audit entry', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const admin = tokens.admin;
        const retried = await act(app, admin, '/api/mailboxes/retry', {
          addresses: ['amy@a.org'],
          reason: 'quota raised',
          confirm: true,
        });
        assert.equal(retried.changed, 1);
        const amy = await mailboxRow(db, 'amy@a.org');
        assert.equal(amy.state, 'scheduled');
        assert.ok(amy.batch_day! >= '2027-03-04', `retried onto ${amy.batch_day}`);
        const entry = await lastAudit(app, admin, 'mailbox=amy@a.org');
        assert.deepEqual(
          { actor: entry?.actor, action: entry?.action, reason: entry?.reason },
          { actor: 'test admin (admin)', action: 'mailbox.retry', reason: 'quota raised' },
        );
        assert.match(
          entry!.change,
          new RegExp(`state failed → scheduled, day 2027-03-03 → ${amy.batch_day}`),
        );

        const moved = await act(app, admin, '/api/mailboxes/move', {
          addresses: ['ali@a.org'],
          to: LATER,
          reason: 'asked by the trust',
          confirm: true,
        });
        assert.deepEqual(moved.summary, [`1 mailbox move from 2027-03-08 to ${LATER}`]);
        assert.deepEqual(
          { ...(await mailboxRow(db, 'ali@a.org')) },
          {
            state: 'scheduled',
            batch_day: LATER,
            pinned_day: LATER,
            hold_reason: null,
            exclude_reason: null,
          },
        );

        await act(app, admin, '/api/mailboxes/hold', {
          addresses: ['art@a.org'],
          reason: 'on leave',
          confirm: true,
        });
        assert.equal((await mailboxRow(db, 'art@a.org')).hold_reason, 'on leave');
        assert.equal((await mailboxRow(db, 'art@a.org')).batch_day, null);
        await act(app, admin, '/api/mailboxes/release', { addresses: ['art@a.org'], confirm: true });
        assert.equal((await mailboxRow(db, 'art@a.org')).hold_reason, null);

        await act(app, admin, '/api/mailboxes/exclude', {
          addresses: ['ben@b.org'],
          reason: 'leaver',
          confirm: true,
        });
        assert.equal((await mailboxRow(db, 'ben@b.org')).exclude_reason, 'leaver');
        await act(app, admin, '/api/mailboxes/include', { addresses: ['ben@b.org'], confirm: true });
        assert.equal((await mailboxRow(db, 'ben@b.org')).exclude_reason, null);
        const actions = (
          await db.selectFrom('audit').select('action').where('actor', '=', 'test admin (admin)').execute()
        ).map((a) => a.action);
        for (const a of ['retry', 'move', 'hold', 'release', 'exclude', 'include'])
          assert.ok(actions.includes(`mailbox.${a}`), `no audit entry for ${a}`);
      });
    });

    test('admin: organisation, day and server actions change the store; a form body works as JSON does', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const admin = tokens.admin;
        const held = await act(app, admin, '/api/organisations/B/hold', { reason: 'board', confirm: true });
        // Bea is done: only Bob and Ben are held.
        assert.equal(held.changed, 2, JSON.stringify(held));
        const reasons = await db
          .selectFrom('mailbox')
          .select(['address', 'hold_reason'])
          .where('organisation', '=', 'B')
          .orderBy('address')
          .execute();
        assert.deepEqual(
          reasons.map((r) => r.hold_reason),
          [null, 'board', 'board'],
        );
        await act(app, admin, '/api/organisations/B/release', { confirm: true });
        assert.equal(
          (await db.selectFrom('mailbox').select('address').where('hold_reason', 'is not', null).execute())
            .length,
          0,
        );
        const orgMove = await act(app, admin, '/api/organisations/A/move', {
          to: LATER,
          reason: 'trust asked',
          confirm: true,
        });
        // Ali (scheduled), Art (prestaged) and Amy (failed, told of 3 March) move; done ones stay.
        assert.equal(orgMove.changed, 3);
        assert.equal(orgMove.notices.rescheduled, 1);
        assert.equal((await mailboxRow(db, 'art@a.org')).pinned_day, LATER);

        // A form, as a browser without the script would send it.
        const form = await app.inject({
          method: 'POST',
          url: '/api/days/2027-03-23/close',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(admin) },
          payload: new URLSearchParams({ reason: 'change freeze', confirm: 'on' }).toString(),
        });
        assert.equal(form.statusCode, 200, form.body);
        const day = () =>
          db.selectFrom('programme_day').selectAll().where('day', '=', '2027-03-23').executeTakeFirst();
        assert.equal(Number((await day())?.closed), 1);
        const calendar = await app.inject({ url: '/api/calendar/2027-03-23', headers: bearer(admin) });
        assert.deepEqual(
          { closed: calendar.json<{ day: { closed: boolean } }>().day.closed },
          { closed: true },
        );
        await act(app, admin, '/api/days/2027-03-23/open', { confirm: true });
        assert.equal(await day(), undefined);
        await act(app, admin, '/api/days/2027-03-24/capacity', {
          mailboxes: 2,
          bytes: '1000000',
          reason: 'fewer staff',
          confirm: true,
        });
        const capacity = await app.inject({ url: '/api/calendar/2027-03-24', headers: bearer(admin) });
        assert.deepEqual(capacity.json<{ day: { capacity: unknown } }>().day.capacity, {
          mailboxes: 2,
          bytes: 1_000_000,
        });
        assert.equal(
          (await act(app, admin, '/api/days/2027-03-24/capacity', { mailboxes: 'many' }, 400)).error,
          'mailboxes: a whole number, 0 or more',
        );

        await act(app, admin, '/api/endpoints/old/pause', {
          reason: 'CPU at 100%',
          now: true,
          confirm: true,
        });
        const endpoints = await app.inject({ url: '/api/endpoints', headers: bearer(admin) });
        assert.deepEqual(endpoints.json(), {
          endpoints: [
            { name: 'new', pausedReason: null, pauseNow: false },
            { name: 'old', pausedReason: 'CPU at 100%', pauseNow: true },
          ],
        });
        const paused = await lastAudit(app, admin, 'limit=1');
        assert.deepEqual([paused?.action, paused?.reason], ['endpoint.pause', 'CPU at 100%']);
        await act(app, admin, '/api/endpoints/old/resume', { confirm: true });
        const resumed = await db
          .selectFrom('endpoint')
          .select('pause_reason')
          .where('name', '=', 'old')
          .executeTakeFirstOrThrow();
        assert.equal(resumed.pause_reason, null);
        const orgAudit = await app.inject({ url: '/api/audit.csv?org=A', headers: bearer(admin) });
        assert.match(orgAudit.body, /^at,actor,action,subject,organisation,reason,change\r\n/);
        assert.match(orgAudit.body, /test admin \(admin\),org\.move,art@a\.org,A,trust asked,/);
      });
    });

    test('without confirm: what would happen, in words, and nothing changes', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const before = await snapshot(db);
        const tries: [string, Record<string, unknown>][] = [
          ['/api/mailboxes/retry', { addresses: ['amy@a.org'] }],
          ['/api/mailboxes/move', { addresses: ['ali@a.org', 'amy@a.org'], to: LATER }],
          ['/api/mailboxes/hold', { addresses: ['art@a.org'], reason: 'leave' }],
          ['/api/mailboxes/exclude', { addresses: ['ben@b.org'], reason: 'leaver' }],
          ['/api/organisations/A/move', { to: LATER }],
          ['/api/organisations/B/hold', { reason: 'board' }],
          ['/api/days/2027-03-23/close', { reason: 'freeze' }],
          ['/api/days/2027-03-24/capacity', { mailboxes: 1 }],
          ['/api/endpoints/old/pause', { reason: 'slow' }],
        ];
        for (const [url, body] of tries) {
          const answer = await act(app, tokens.admin, url, body);
          assert.equal(answer.dryRun, true, url);
          assert.equal(answer.changed, 0, url);
          assert.ok(answer.summary.length > 0, url);
        }
        const move = await act(app, tokens.admin, '/api/mailboxes/move', {
          addresses: ['ali@a.org', 'amy@a.org'],
          to: LATER,
          confirm: false,
        });
        assert.deepEqual(move.summary, [
          `1 mailbox move from 2027-03-08 to ${LATER}`,
          `1 mailbox move from 2027-03-03 to ${LATER}`,
          '1 user was told and will get a rescheduled notice',
        ]);
        assert.equal(move.notices.rescheduled, 1);
        assert.equal(await snapshot(db), before);
      });
    });

    test('roles: outside its organisations, past its rights or into the notice period: 403, nothing changed', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const before = await snapshot(db);
        const refused: [string, string, Record<string, unknown>, RegExp][] = [
          [
            tokens.orgA,
            '/api/mailboxes/move',
            { addresses: ['bob@b.org'], to: LATER },
            /bob@b.org is not in your organisations/,
          ],
          [
            tokens.orgA,
            '/api/mailboxes/hold',
            { addresses: ['ali@a.org', 'ben@b.org'], reason: 'x', confirm: true },
            /ben@b.org is not in your organisations/,
          ],
          [
            tokens.orgA,
            '/api/organisations/B/hold',
            { reason: 'x', confirm: true },
            /B is not one of your organisations/,
          ],
          [
            tokens.orgA,
            '/api/mailboxes/retry',
            { addresses: ['amy@a.org'], confirm: true },
            /org-admin token cannot retry/,
          ],
          [tokens.orgA, '/api/days/2027-03-23/close', { reason: 'x', confirm: true }, /cannot close/],
          [tokens.orgA, '/api/endpoints/old/pause', { reason: 'x', confirm: true }, /cannot pause/],
          [
            tokens.orgA,
            '/api/mailboxes/move',
            { addresses: ['ali@a.org'], to: '2027-03-09', force: true, confirm: true },
            /notice period rules/,
          ],
          [
            tokens.helpdesk,
            '/api/mailboxes/retry',
            { addresses: ['amy@a.org', 'bob@b.org'], confirm: true },
            /one mailbox at a time/,
          ],
          [
            tokens.helpdesk,
            '/api/mailboxes/hold',
            { addresses: ['ali@a.org'], reason: 'x', confirm: true },
            /cannot hold/,
          ],
          [
            tokens.helpdesk,
            '/api/organisations/A/move',
            { to: LATER, confirm: true },
            /cannot move|one mailbox/,
          ],
          [
            tokens.metrics,
            '/api/mailboxes/retry',
            { addresses: ['amy@a.org'], confirm: true },
            /metrics token cannot retry/,
          ],
        ];
        for (const [token, url, body, why] of refused) {
          const answer = await act(app, token, url, body, 403);
          assert.match(answer.error ?? '', why, url);
        }
        // Within its rights, the org-admin's move goes; inside the notice period it is refused (400).
        const short = await act(
          app,
          tokens.orgA,
          '/api/mailboxes/move',
          { addresses: ['ali@a.org'], to: '2027-03-09', confirm: true },
          400,
        );
        assert.match(short.error ?? '', /inside the notice period .* for 1 user not yet told \(ali@a.org\)/);
        assert.equal(await snapshot(db), before);
        await act(app, tokens.orgA, '/api/mailboxes/move', {
          addresses: ['ali@a.org'],
          to: LATER,
          reason: 'trust asked',
          confirm: true,
        });
        const entry = await lastAudit(app, tokens.orgA, 'mailbox=ali@a.org');
        assert.deepEqual([entry?.actor, entry?.reason], ['test org-admin (org-admin)', 'trust asked']);
        // Another organisation's trail is refused, not answered with an empty list; its own is read.
        for (const url of ['/api/audit?org=B', '/api/audit.csv?org=B']) {
          const other = await app.inject({ url, headers: bearer(tokens.orgA) });
          assert.equal(other.statusCode, 403, url);
          assert.match(other.body, /cannot read organisation B's audit trail/);
        }
        const own = await app.inject({ url: '/api/audit?org=A', headers: bearer(tokens.orgA) });
        assert.equal(own.statusCode, 200);
        assert.ok(own.json<{ audit: unknown[] }>().audit.length > 0);
        // The helpdesk retries one failed mailbox.
        await act(app, tokens.helpdesk, '/api/mailboxes/retry', {
          addresses: ['bob@b.org'],
          reason: 'password reset',
          confirm: true,
        });
        assert.equal((await mailboxRow(db, 'bob@b.org')).state, 'scheduled');
      });
    });

    test("tranche.yaml operations.roles replaces a role's defaults, in the API and /api/me", async () => {
      // Read from tranche.yaml as the docs write it: roles not named keep their defaults.
      const dir = mkdtempSync(join(tmpdir(), 'tranche-roles-'));
      writeFileSync(
        join(dir, 'tranche.yaml'),
        [
          'name: Operations test',
          'schedule: { weekday: { mailboxes: 4 } }',
          'operations:',
          '  roles:',
          '    helpdesk: { actions: [retry, hold, release], oneMailbox: true }',
          '    org-admin: { actions: [hold, release] }',
          '',
        ].join('\n'),
      );
      const custom = loadConfig(dir);
      await withServed(location, custom, async ({ db, app, tokens }) => {
        const me = await app.inject({ url: '/api/me', headers: bearer(tokens.helpdesk) });
        assert.deepEqual(
          (({ actions, oneMailbox, force }) => ({ actions, oneMailbox, force }))(
            me.json<{ actions: string[]; oneMailbox: boolean; force: boolean }>(),
          ),
          { actions: ['retry', 'hold', 'release'], oneMailbox: true, force: false },
        );
        const before = await snapshot(db);
        const move = { addresses: ['ali@a.org'], to: LATER, confirm: true };
        assert.match(
          (await act(app, tokens.helpdesk, '/api/mailboxes/move', move, 403)).error ?? '',
          /cannot move/,
        );
        assert.match(
          (await act(app, tokens.orgA, '/api/mailboxes/move', move, 403)).error ?? '',
          /cannot move/,
        );
        assert.equal(await snapshot(db), before);
        await act(app, tokens.helpdesk, '/api/mailboxes/hold', {
          addresses: ['ali@a.org'],
          reason: 'called in sick',
          confirm: true,
        });
        assert.equal((await mailboxRow(db, 'ali@a.org')).hold_reason, 'called in sick');
      });
    });

    test('all or nothing: one unknown address among many changes nothing and is named', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const before = await snapshot(db);
        const answer = await act(
          app,
          tokens.admin,
          '/api/mailboxes/hold',
          {
            addresses: ['ali@a.org', 'art@a.org', 'nobody@nowhere.org', 'ben@b.org'],
            reason: 'x',
            confirm: true,
          },
          400,
        );
        assert.equal(answer.error, 'nothing changed: unknown mailbox nobody@nowhere.org');
        const retry = await act(
          app,
          tokens.admin,
          '/api/mailboxes/retry',
          { addresses: 'amy@a.org bob@b.org ali@a.org'.split(' '), confirm: true },
          400,
        );
        assert.equal(retry.error, 'nothing changed: ali@a.org is scheduled, not failed');
        assert.equal(
          (await act(app, tokens.admin, '/api/organisations/ZZ/hold', { reason: 'x', confirm: true }, 400))
            .error,
          'nothing changed: unknown organisation ZZ',
        );
        assert.equal(
          (await act(app, tokens.admin, '/api/days/2027-03-01/close', { reason: 'x', confirm: true }, 400))
            .error,
          'nothing changed: 2027-03-01 is in the past',
        );
        assert.equal(await snapshot(db), before);
      });
    });

    test('CSRF: a session from another site is refused; GET changes nothing', async () => {
      await withServer(location, async ({ db, app, tokens }) => {
        const cookie = await login(app, tokens.admin);
        const before = await snapshot(db);
        const body = { addresses: ['art@a.org'], reason: 'x', confirm: true };
        const hostile: Record<string, string>[] = [
          { cookie, host: 'localhost:80', origin: 'http://evil.example' },
          { cookie, host: 'localhost:80', 'sec-fetch-site': 'cross-site' },
          { cookie, host: 'localhost:80', 'sec-fetch-site': 'same-site', origin: 'http://localhost:80' },
          { cookie, host: 'localhost:80', origin: 'null' },
        ];
        for (const headers of hostile) {
          const r = await post(app, '/api/mailboxes/hold', headers, body);
          assert.equal(r.status, 403, JSON.stringify(headers));
          assert.match(r.answer.error ?? '', /cross-site request refused/);
          const day = await post(app, '/api/days/2027-03-23/close', headers, { reason: 'x', confirm: true });
          assert.equal(day.status, 403);
        }
        // No session, no token: 401.
        assert.equal((await post(app, '/api/mailboxes/hold', sameOrigin, body)).status, 401);
        for (const url of [
          '/api/mailboxes/hold?addresses=art@a.org&reason=x&confirm=true',
          '/api/organisations/A/hold?reason=x&confirm=true',
          '/api/days/2027-03-23/close?confirm=true',
          '/api/endpoints/old/pause?reason=x&confirm=true',
        ]) {
          const r = await app.inject({ url, headers: { cookie, ...sameOrigin } });
          assert.equal(r.statusCode, 404, `GET ${url}: ${r.body}`);
        }
        assert.equal(await snapshot(db), before);
        // The same request from the dashboard's own page goes.
        const ok = await post(app, '/api/mailboxes/hold', { cookie, ...sameOrigin }, body);
        assert.equal(ok.status, 200, JSON.stringify(ok.answer));
        assert.equal((await mailboxRow(db, 'art@a.org')).hold_reason, 'x');
      });
    });
  });
}
