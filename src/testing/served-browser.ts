// Test fixture: `tranche serve` over the seeded store on a loopback port, and Debian's chromium
// driven by playwright-core (scripts/test.sh installs it), for the dashboard's browser tests.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { chromium, type Browser, type Page } from 'playwright-core';
import { silentLogger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { buildServer } from '../serve/server.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { seedServeFixture, type FixtureTokens } from './serve-fixture.js';
import { tempStatePath } from './sync-fixture.js';

/** Where the browser tests' screenshots go. */
export const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));

/** The served dashboard and a browser to drive it. */
export interface ServedDashboard {
  db: Kysely<Database>;
  app: FastifyInstance;
  browser: Browser;
  /** The server's address, http://127.0.0.1:PORT. */
  base: string;
  tokens: FixtureTokens;
  close(): Promise<void>;
}

/** Seeds a fresh SQLite store (SEED may change it), serves it with CONFIG and launches chromium. */
export async function serveDashboard(
  config: ProgrammeConfig,
  seed: (db: Kysely<Database>) => Promise<void> = () => Promise.resolve(),
): Promise<ServedDashboard> {
  mkdirSync(SHOTS, { recursive: true });
  const db = await openStateStore(tempStatePath());
  const tokens = await seedServeFixture(db);
  await seed(db);
  const app = await buildServer({ db, config, logger: silentLogger() });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  process.stderr.write(`screenshots in ${SHOTS}\n`);
  return {
    db,
    app,
    browser,
    base,
    tokens,
    async close() {
      await browser.close();
      await app.close();
      await db.destroy();
    },
  };
}

/** A fresh browser context logged in with TOKEN through the login form at PATH; returns its page. */
export async function loggedIn(served: ServedDashboard, token: string, path = '/'): Promise<Page> {
  const context = await served.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${served.base}${path}`);
  assert.match(page.url(), /\/login\?next=/);
  await page.fill('#token', token);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ]);
  return page;
}
