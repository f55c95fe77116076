import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scopeOfTokenHash } from '../auth/api-tokens.js';
import { cookieValue, SESSION_COOKIE } from '../auth/authenticate.js';
import { areasOf } from '../auth/role.js';
import { requireSameOrigin } from '../auth/same-origin.js';
import { closeSession, openSession, SESSION_MS } from '../auth/sessions.js';
import { secretHash } from '../auth/token-secret.js';
import { loginPage } from '../dashboard/html-pages.js';
import type { ServeContext } from '../serve-context.js';

/**
 * Where to go after logging in: a local path only (never another site, never //host), in printable
 * ASCII (a control or non-ASCII character cannot go in a Location header: it was a 500).
 */
export function localPath(text: string | null | undefined): string {
  return text && /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(text) ? text : '/';
}

/** The session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS; MAX_AGE 0 deletes it. */
function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

const form = (request: FastifyRequest): URLSearchParams =>
  request.body instanceof URLSearchParams ? request.body : new URLSearchParams();

/** GET /login (the form), POST /login (a token for a session cookie), POST /logout. */
export function loginRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const hide = { schema: { hide: true } };
  app.get<{ Querystring: { next?: string } }>('/login', hide, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(loginPage(localPath(request.query.next))),
  );

  app.post('/login', hide, async (request, reply) => {
    requireSameOrigin(request);
    const body = form(request);
    const next = localPath(body.get('next'));
    const scope = await scopeOfTokenHash(ctx.db, secretHash((body.get('token') ?? '').trim()));
    if (!scope)
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(loginPage(next, 'That token is not valid, or it was revoked.'));
    const session = await openSession(ctx.db, scope.tokenId, new Date());
    // A helpdesk token has only the lookup: land there rather than on a refused overview.
    const landing = next === '/' && !areasOf(scope.role).includes('overview') ? '/lookup' : next;
    return reply
      .header('set-cookie', sessionCookie(request, session, SESSION_MS / 1000))
      .redirect(landing, 303);
  });

  app.post('/logout', hide, async (request, reply) => {
    requireSameOrigin(request);
    const session = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (session) await closeSession(ctx.db, session);
    return reply.header('set-cookie', sessionCookie(request, '', 0)).redirect('/login', 303);
  });
}
