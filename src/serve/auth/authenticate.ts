import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';
import { HttpRefusal } from '../http-refusal.js';
import { scopeOfSessionHash, scopeOfTokenHash, touchToken } from './api-tokens.js';
import type { Area } from './role.js';
import { requireArea, type Scope } from './scope.js';
import { secretHash } from './token-secret.js';

/** The dashboard's session cookie. */
export const SESSION_COOKIE = 'tranche_session';

/** The value of cookie NAME in a Cookie header, if any. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Who is asking: a bearer token (API clients, Prometheus) or the dashboard's session cookie. Only
 * hashes are looked up; the token and the cookie are never logged or echoed. Undefined when neither
 * names a live token.
 */
export async function scopeOfRequest(
  db: Kysely<Database>,
  request: FastifyRequest,
  now: Date,
): Promise<Scope | undefined> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  const scope =
    bearer !== undefined
      ? await scopeOfTokenHash(db, secretHash(bearer))
      : await sessionScope(db, request, now);
  if (scope) await touchToken(db, scope.tokenId, now);
  return scope;
}

async function sessionScope(
  db: Kysely<Database>,
  request: FastifyRequest,
  now: Date,
): Promise<Scope | undefined> {
  const session = cookieValue(request.headers.cookie, SESSION_COOKIE);
  return session ? scopeOfSessionHash(db, secretHash(session), now) : undefined;
}

/** The caller's scope for an API route in AREA: 401 without a live token, 403 when the role may not enter. */
export async function apiScope(db: Kysely<Database>, request: FastifyRequest, area: Area): Promise<Scope> {
  const scope = await scopeOfRequest(db, request, new Date());
  if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
  requireArea(scope, area);
  return scope;
}
