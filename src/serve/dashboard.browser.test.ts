// The dashboard in a real browser: playwright-core driving Debian's chromium (scripts/test.sh
// installs it) against `tranche serve` on a loopback port. Screenshots go to test-output/screenshots/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { withDefaults } from '../programme/config/config.js';
import { loggedIn as logIn, serveDashboard, SHOTS, type ServedDashboard } from '../testing/served-browser.js';

const config = withDefaults({ name: 'Browser test', schedule: { weekday: { mailboxes: 4 } } }, '/nowhere');

let served: ServedDashboard;

before(async () => {
  served = await serveDashboard(config, async (db) => {
    // A name that would run as script if the page ever put data into HTML.
    await db
      .updateTable('mailbox')
      .set({ display_name: '<img src=x onerror="document.title=1">' })
      .where('address', '=', 'ben@b.org')
      .execute();
  });
});

after(async () => {
  await served?.close();
});

/** A fresh browser context logged in with TOKEN through the login form; returns its page. */
const loggedIn = (token: string, path = '/'): Promise<Page> => logIn(served, token, path);

const card = (page: Page, label: string) =>
  page
    .locator('.card', { has: page.locator('.label', { hasText: new RegExp(`^${label}$`) }) })
    .locator('.value')
    .textContent();

test('admin: log in, read the overview, look up a user, open a failure', async () => {
  const page = await loggedIn(served.tokens.admin);
  await page.waitForSelector('#summary');
  assert.equal(await page.locator('h1').textContent(), 'Browser test');
  assert.deepEqual(
    [
      await card(page, 'Mailboxes'),
      await card(page, 'Done'),
      await card(page, 'Failed'),
      await card(page, 'Success rate'),
    ],
    ['9', '3', '2', '60.0%'],
  );
  assert.equal(await page.locator('svg.chart').count(), 2);
  assert.equal(await page.locator('svg.chart').first().locator('rect.bar').count(), 30);
  await page.screenshot({ path: `${SHOTS}overview.png`, fullPage: true });

  await page.click('nav a:text("Lookup")');
  await page.fill('#address', 'ann@a.org');
  await Promise.all([page.waitForURL(/\/mailboxes\/ann%40a\.org$/), page.click('#lookup button')]);
  await page.waitForSelector('#facts');
  const fact = (name: string) => page.locator(`dd[data-fact="${name}"]`).textContent();
  assert.deepEqual(
    [await fact('State'), await fact('Day'), await fact('Told about')],
    ['done', '2027-03-01', '2027-03-01'],
  );
  assert.match(
    (await page.locator('#explanation').textContent()) ?? '',
    /Moved on 2027-03-01: every message was copied and checked\./,
  );
  const notices = await page.locator('table').first().locator('tbody tr').allTextContents();
  assert.deepEqual(
    notices.map((row) => row.slice(0, row.indexOf('2027'))),
    ['warning', 'success'],
  );
  await page.screenshot({ path: `${SHOTS}lookup.png`, fullPage: true });

  await page.click('nav a:text("Failures")');
  await page.click('a:text("target mailbox full (quota)")');
  await page.waitForURL(/\/failures\/quota$/);
  await page.click('a:text("amy@a.org")');
  await page.waitForSelector('#skipped');
  assert.equal(await fact('Failure'), 'target mailbox full: Quota exceeded (mailbox for user is full)');
  const skipped = await page.locator('#skipped tbody tr').allTextContents();
  assert.equal(skipped.length, 2);
  assert.match(skipped[0]!, /INBOX17.*message too large for the target/);
  // The server's words are text, whatever they look like.
  assert.match(skipped[1]!, /=HYPERLINK\("x"\) malformed header/);
  await page.screenshot({ path: `${SHOTS}failure.png`, fullPage: true });

  await page.goto(`${served.base}/mailboxes/ben@b.org`);
  await page.waitForSelector('#facts');
  assert.match((await page.locator('h1').textContent()) ?? '', /<img src=x onerror=/);
  assert.equal(await page.locator('main img').count(), 0);
  assert.notEqual(await page.title(), '1');
  await page.context().close();
});

test('org-admin: its own organisation only; another one is a clean 403, in pages and the API', async () => {
  const page = await loggedIn(served.tokens.orgA, '/organisations');
  await page.waitForSelector('table');
  assert.deepEqual(await page.locator('tbody tr td:first-child').allTextContents(), ['A']);
  const overview = await page.goto(`${served.base}/`);
  assert.equal(overview?.status(), 200);
  await page.waitForSelector('#summary');
  assert.equal(await card(page, 'Mailboxes'), '5');

  const refused = await page.goto(`${served.base}/organisations/B`);
  assert.equal(refused?.status(), 403);
  assert.equal(await page.locator('h1').textContent(), 'Forbidden');
  // Another organisation's mailbox is answered as a missing one: nothing is learnt of it.
  assert.equal((await page.goto(`${served.base}/mailboxes/bob@b.org`))?.status(), 404);
  await page.goto(`${served.base}/organisations/B`);
  await page.screenshot({ path: `${SHOTS}org-admin-forbidden.png`, fullPage: true });
  // The API, with the same session, from the page itself.
  await page.goto(`${served.base}/organisations/A`);
  const statuses = await page.evaluate(async () =>
    Promise.all(
      ['/api/organisations/B', '/api/mailboxes/bob@b.org', '/api/organisations/A'].map(
        async (u) => (await fetch(u)).status,
      ),
    ),
  );
  assert.deepEqual(statuses, [403, 404, 200]);
  await page.context().close();
});
