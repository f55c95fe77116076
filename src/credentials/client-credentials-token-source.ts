import { createHash } from 'node:crypto';
import { tokenError } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** A token endpoint that takes longer than this is unreachable. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Network failures by their Node code: the endpoint did not answer. */
const NETWORK_CODE = /^(ECONN|ENOTFOUND|EHOST|ENET|EAI_|ETIMEDOUT|UND_ERR|ABORT_ERR|TimeoutError)/;

/** OAuth2 client credentials (RFC 6749 §4.4) at a token endpoint. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  /** Never logged. */
  clientSecret: string;
  scope: string | undefined;
  /** Extra form parameters; `{user}` in a value is the login user (a per-mailbox token). */
  params: [string, string][];
}

/** Node's code for a failed fetch, from the error or its cause. */
function networkCode(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.name ?? e.name ?? 'fetch-failed';
}

/** `--*-token-url URL --*-client-id ID`: the client authenticates with HTTP Basic (RFC 6749 §2.3.1). */
export class ClientCredentialsTokenSource implements TokenSource {
  readonly id: string;
  readonly description: string;
  readonly perUser: boolean;
  readonly #grant: ClientCredentials;
  readonly #now: () => number;

  constructor(grant: ClientCredentials, now: () => number = Date.now) {
    this.#grant = grant;
    this.#now = now;
    this.description = `token endpoint ${grant.tokenUrl}`;
    this.perUser = grant.params.some(([, value]) => value.includes('{user}'));
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([grant.tokenUrl, grant.clientId, grant.clientSecret, grant.scope, grant.params]))
      .digest('hex')
      .slice(0, 16);
    this.id = `client-credentials:${fingerprint}`;
  }

  async fetch(user: string): Promise<AccessToken> {
    const { tokenUrl, clientId, clientSecret, scope, params } = this.#grant;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    for (const [name, value] of params) form.append(name, value.replaceAll('{user}', user));
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      const code = networkCode(error);
      throw tokenError(
        this.description,
        NETWORK_CODE.test(code) ? code : `fetch failed (${code})`,
        'unreachable',
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      body = {};
    }
    if (!response.ok || typeof body.access_token !== 'string') {
      // 5xx: the endpoint is there but not working; come back later.
      if (response.status >= 500)
        throw tokenError(this.description, `HTTP ${response.status}`, 'unreachable');
      const code = typeof body.error === 'string' ? body.error.replace(/[^\w.-]/g, '') : 'no-access-token';
      // Microsoft's AADSTS number tells which of many reasons (7000215: wrong secret, 65001: no consent).
      const description = typeof body.error_description === 'string' ? body.error_description : '';
      const aadsts = /AADSTS\d+/.exec(description)?.[0];
      throw tokenError(
        this.description,
        `${code}${aadsts ? ` ${aadsts}` : ''} (HTTP ${response.status})`,
        'refused',
      );
    }
    const expiresIn = Number(body.expires_in);
    return {
      value: body.access_token,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.#now() + expiresIn * 1000 : undefined,
    };
  }
}
