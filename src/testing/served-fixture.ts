// Test fixture: `tranche serve` over a seeded store (serve-fixture.ts), for the API tests.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { silentLogger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import { buildServer } from '../serve/server.js';
import { seedServeFixture, type FixtureTokens } from './serve-fixture.js';

/** The seeded store, the app over it, and a token per role. */
export interface Served {
  db: Kysely<Database>;
  app: FastifyInstance;
  tokens: FixtureTokens;
}

/** A seeded store at LOCATION and the app over it (with CONFIG), torn down after WORK. */
export async function withServer(
  location: () => Promise<string>,
  config: ProgrammeConfig,
  work: (s: Served) => Promise<void>,
): Promise<void> {
  const db = await openStateStore(await location());
  try {
    const tokens = await seedServeFixture(db);
    const app = await buildServer({ db, config, logger: silentLogger() });
    try {
      await work({ db, app, tokens });
    } finally {
      await app.close();
    }
  } finally {
    await db.destroy();
  }
}

/** The Authorization header of TOKEN. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The headers a browser on the dashboard's own origin sends with a POST. */
export const sameOrigin = {
  origin: 'http://localhost:80',
  host: 'localhost:80',
  'sec-fetch-site': 'same-origin',
};

/** Logs in through the form as a browser on the same origin would; returns the session cookie. */
export async function login(app: FastifyInstance, token: string): Promise<string> {
  const r = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...sameOrigin },
    payload: new URLSearchParams({ token, next: '/' }).toString(),
  });
  assert.equal(r.statusCode, 303, r.body);
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /^tranche_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  assert.ok(!cookie.includes(token));
  return cookie.split(';')[0]!;
}
