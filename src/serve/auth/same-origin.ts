import type { FastifyRequest } from 'fastify';
import { forbidden } from '../http-refusal.js';

/**
 * CSRF: a state-changing request (the login and logout POSTs) must come from the dashboard's own
 * pages. Browsers say where a request comes from in Sec-Fetch-Site and Origin; either one naming
 * another site is refused (403). A client that sends neither is not a browser, so no one's cookie
 * rides along with it. The session cookie is SameSite=Strict as well.
 */
export function requireSameOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin')
    throw forbidden('cross-site request refused (Sec-Fetch-Site)');
  const origin = request.headers.origin;
  if (origin !== undefined && !sameHost(origin, request.headers.host))
    throw forbidden('cross-site request refused (Origin)');
}

/**
 * Whether ORIGIN names HOST (the Host header). Hosts, not schemes: behind a TLS proxy the browser's
 * origin is https while this hop is http; both are read as URLs of the origin's scheme, so a
 * default port (:80, :443) given on one side only still matches. "null" matches nothing.
 */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const from = new URL(origin);
    return host !== undefined && new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}
