import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers on every reply: scripts, styles, images and requests from this server only, never framed
 * (clickjacking), no MIME sniffing, no referrer to other sites, nothing cached but the two static assets,
 * and HSTS when the request came over HTTPS.
 */
export function securityHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  reply.header(
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the login form's POST,
  // which the CSRF check (rightly) refuses.
  reply.header('referrer-policy', 'same-origin');
  reply.header('cache-control', request.url.startsWith('/assets/') ? 'no-cache' : 'no-store');
  // Over HTTPS (served so, or behind a proxy that says so with --trust-proxy): HTTPS only from now on.
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  done(null, payload);
}
