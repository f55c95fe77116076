// The day-to-day actions in a real browser: playwright-core driving Debian's chromium against
// `tranche serve` on a loopback port. Each action is checked (a dry run shown), confirmed, and then
// read back in the audit trail with who and why. Screenshots go to test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { withDefaults } from '../programme/config/config.js';
import { loggedIn as logIn, serveDashboard, SHOTS, type ServedDashboard } from '../testing/served-browser.js';

const config = withDefaults(
  { name: 'Operations in the browser', schedule: { weekday: { mailboxes: 4 } } },
  '/nowhere',
);
/** A Monday after the notice period (14 days from the fixture's 4 March 2027). */
const LATER = '2027-03-22';

let served: ServedDashboard;

before(async () => {
  served = await serveDashboard(config);
});

after(async () => {
  await served?.close();
});

const loggedIn = (token: string, path: string): Promise<Page> => logIn(served, token, path);

/** The actions the page offers, by name. */
const offered = (page: Page) =>
  page.locator('form.action').evaluateAll((forms) => forms.map((f) => f.getAttribute('data-action')));

/**
 * Fills the form of ACTION (within SCOPE, the page by default) with FIELDS, asks what would happen,
 * and returns the dry run's lines; with CONFIRM then confirms and waits for the page to redraw.
 */
async function take(
  page: Page,
  action: string,
  fields: Record<string, string>,
  confirm: boolean,
  shot?: string,
): Promise<string[]> {
  const form = page.locator(`form.action[data-action="${action}"]`);
  for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).fill(value);
  await form.locator('button[type=submit]').click();
  await form.locator('.answer ul.result, .answer .error').first().waitFor();
  const lines = await form.locator('.answer li, .answer .error').allTextContents();
  if (shot) await page.screenshot({ path: `${SHOTS}${shot}`, fullPage: true });
  if (confirm) {
    await form.locator('button.confirm').click();
    await page.locator('#done').waitFor();
  }
  return lines;
}

/** The audit trail's rows on the page: when, who, what, subject, why, before → after. */
async function auditRows(page: Page): Promise<string[][]> {
  await page.locator('#audit').waitFor();
  return page
    .locator('#audit tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

const fact = (page: Page, name: string) => page.locator(`dd[data-fact="${name}"]`).textContent();

test('org-admin: moves its own mailbox after a confirmation; another organisation is refused (page and API)', async () => {
  const page = await loggedIn(served.tokens.orgA, '/mailboxes/ali@a.org');
  await page.locator('#actions').waitFor();
  // Its role's actions only: move and hold (not retry, exclude, pause).
  assert.deepEqual(await offered(page), ['move', 'hold']);
  const preview = await take(
    page,
    'move',
    { to: LATER, reason: 'the trust asked for a week' },
    false,
    'ops-org-admin-confirm.png',
  );
  assert.deepEqual(preview, [`1 mailbox move from 2027-03-08 to ${LATER}`]);
  // Nothing changed by the preview.
  assert.equal(await fact(page, 'Day'), '2027-03-08');
  await page.locator('form.action[data-action="move"] button.confirm').click();
  await page.locator('#done').waitFor();
  assert.equal(await fact(page, 'Day'), LATER);
  const [last] = await auditRows(page);
  assert.deepEqual(last?.slice(1), [
    'test org-admin (org-admin)',
    'mailbox.move',
    'ali@a.org',
    'the trust asked for a week',
    `day 2027-03-08 → ${LATER}, pinned - → ${LATER}`,
  ]);
  await page.screenshot({ path: `${SHOTS}ops-org-admin-moved.png`, fullPage: true });

  // Inside the notice period, for a user not yet told: refused on the page, in one line.
  await page.goto(`${served.base}/organisations/A`);
  await page.locator('#actions').waitFor();
  assert.deepEqual(await offered(page), ['move', 'hold', 'release']);
  const refused = await take(page, 'move', { to: '2027-03-10', reason: 'sooner' }, false);
  assert.match(refused[0]!, /nothing changed: 2027-03-10 is inside the notice period/);
  assert.equal(await page.locator('form.action[data-action="move"] button.confirm').count(), 0);
  assert.equal(await page.locator('form.action input[name="force"]').count(), 0);
  await page.screenshot({ path: `${SHOTS}ops-org-admin-refused.png`, fullPage: true });

  // Another organisation: no page, and the API refuses from the same session.
  assert.equal((await page.goto(`${served.base}/organisations/B`))?.status(), 403);
  assert.equal((await page.goto(`${served.base}/mailboxes/ben@b.org`))?.status(), 404);
  const answers = await page.evaluate(async (later) => {
    const send = async (url: string, body: unknown) => {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return [r.status, ((await r.json()) as { error?: string }).error ?? ''] as const;
    };
    return [
      await send('/api/mailboxes/move', { addresses: ['ben@b.org'], to: later, confirm: true }),
      await send('/api/organisations/B/move', { to: later, confirm: true }),
      await send('/api/mailboxes/move', { addresses: ['ali@a.org', 'ben@b.org'], to: later, confirm: true }),
    ];
  }, LATER);
  assert.deepEqual(answers, [
    [403, 'nothing changed: ben@b.org is not in your organisations'],
    [403, 'nothing changed: B is not one of your organisations'],
    [403, 'nothing changed: ben@b.org is not in your organisations'],
  ]);
  const ben = await served.db
    .selectFrom('mailbox')
    .select(['batch_day', 'pinned_day'])
    .where('address', '=', 'ben@b.org')
    .executeTakeFirstOrThrow();
  assert.deepEqual({ ...ben }, { batch_day: '2027-03-08', pinned_day: null });
  await page.context().close();
});

test('helpdesk: retries a failed mailbox; the lookup then shows it planned, with who and why', async () => {
  const page = await loggedIn(served.tokens.helpdesk, '/mailboxes/amy@a.org');
  await page.locator('#actions').waitFor();
  assert.deepEqual(await offered(page), ['retry', 'move']);
  assert.equal(await fact(page, 'State'), 'failed');
  assert.match((await page.locator('#explanation').textContent()) ?? '', /it can be retried/);
  const preview = await take(page, 'retry', { reason: 'quota raised by the trust' }, true);
  assert.ok(preview.length > 0);
  assert.equal(await fact(page, 'State'), 'scheduled');
  const [last] = await auditRows(page);
  assert.deepEqual(last?.slice(1, 5), [
    'test helpdesk (helpdesk)',
    'mailbox.retry',
    'amy@a.org',
    'quota raised by the trust',
  ]);
  assert.match(last[5]!, /^state failed → scheduled, day 2027-03-03 → 2027-03-\d\d$/);
  await page.screenshot({ path: `${SHOTS}ops-helpdesk-retried.png`, fullPage: true });
  // One mailbox at a time, from this session too.
  const status = await page.evaluate(async () => {
    const r = await fetch('/api/mailboxes/retry', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ addresses: ['amy@a.org', 'bob@b.org'], confirm: true }),
    });
    return r.status;
  });
  assert.equal(status, 403);
  await page.context().close();
});

test('admin: pauses a server from its line; the overview shows it paused and the trail says who and why', async () => {
  const page = await loggedIn(served.tokens.admin, '/');
  await page.locator('#servers').waitFor();
  const line = (name: string) => page.locator('#servers tbody tr', { hasText: name });
  assert.match((await line('old').textContent()) ?? '', /steps start/);
  const form = line('old').locator('form.action[data-action="pause"]');
  await form.locator('[name="reason"]').fill('CPU at 100%, vendor call open');
  await form.locator('button[type=submit]').click();
  await form.locator('.answer ul.result').waitFor();
  assert.deepEqual(await form.locator('.answer li').allTextContents(), [
    'endpoint old paused: no new step starts',
    'its running steps finish',
  ]);
  await page.screenshot({ path: `${SHOTS}ops-admin-pause-confirm.png`, fullPage: true });
  await form.locator('button.confirm').click();
  await page.locator('#done').waitFor();
  assert.match((await line('old').textContent()) ?? '', /paused: CPU at 100%, vendor call open/);
  assert.equal(await line('old').locator('form.action[data-action="resume"]').count(), 1);
  const [last] = await auditRows(page);
  assert.deepEqual(last?.slice(1, 5), [
    'test admin (admin)',
    'endpoint.pause',
    'old',
    'CPU at 100%, vendor call open',
  ]);
  await page.screenshot({ path: `${SHOTS}ops-admin-paused.png`, fullPage: true });

  // A day's page: close the day; its line then says so.
  await page.goto(`${served.base}/calendar/${LATER}`);
  await page.locator('#actions').waitFor();
  assert.deepEqual(await offered(page), ['close', 'capacity']);
  const closing = await take(page, 'close', { reason: 'change freeze' }, true);
  assert.deepEqual(closing, [
    `${LATER} closed: it takes nobody more`,
    '1 mailbox already planned there keep their day (re-plan with --force to move them)',
  ]);
  assert.match((await page.locator('tbody tr').first().textContent()) ?? '', /weekday, closed/);
  assert.deepEqual(await offered(page), ['open', 'capacity']);
  await page.screenshot({ path: `${SHOTS}ops-admin-day-closed.png`, fullPage: true });
  const csv = await page.evaluate(async () => (await fetch('/api/audit.csv')).text());
  assert.match(
    csv,
    new RegExp(`test admin \\(admin\\),day\\.close,${LATER},,change freeze,closed false → true`),
  );
  assert.match(csv, /test admin \(admin\),endpoint\.pause,old,,"CPU at 100%, vendor call open",/);
  assert.match(csv, /test org-admin \(org-admin\),mailbox\.move,ali@a\.org,A,the trust asked for a week,/);
  assert.match(csv, /test helpdesk \(helpdesk\),mailbox\.retry,amy@a\.org,A,quota raised by the trust,/);
  const stored = await served.db
    .selectFrom('endpoint')
    .select('pause_reason')
    .where('name', '=', 'old')
    .executeTakeFirstOrThrow();
  assert.equal(stored.pause_reason, 'CPU at 100%, vendor call open');
  await page.context().close();
});
