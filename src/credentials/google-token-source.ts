import { createHash } from 'node:crypto';
import type { JWTOptions } from 'google-auth-library';
import { TrancheError } from '../errors/tranche-error.js';
import { tokenError } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** Gmail's IMAP scope: full mail access, as IMAP needs. */
export const GMAIL_SCOPE = 'https://mail.google.com/';

/** The fields of a service account key file tranche uses. */
interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

/** Reads a service account key file's JSON; a usage error names what is missing, never the key. */
export function parseServiceAccount(json: string): ServiceAccountKey {
  let parsed: Partial<ServiceAccountKey>;
  try {
    parsed = JSON.parse(json) as Partial<ServiceAccountKey>;
  } catch {
    throw new TrancheError('usage', 'service account file: not JSON (download the key as JSON)');
  }
  if (typeof parsed.client_email !== 'string' || typeof parsed.private_key !== 'string') {
    throw new TrancheError('usage', 'service account file: needs client_email and private_key');
  }
  return parsed as ServiceAccountKey;
}

/** What google-auth-library threw, as a one-line token error: the OAuth2 error code or the network code. */
function googleError(source: string, error: unknown): TrancheError {
  const e = error as {
    code?: string;
    status?: number;
    response?: { status?: number; data?: { error?: unknown } };
  };
  const oauth = e.response?.data?.error;
  if (typeof oauth === 'string') {
    return tokenError(source, `${oauth.replace(/[^\w.-]/g, '')} (HTTP ${e.response?.status})`, 'refused');
  }
  const status = e.response?.status ?? e.status;
  if (status !== undefined && status < 500) return tokenError(source, `HTTP ${status}`, 'refused');
  return tokenError(
    source,
    status !== undefined ? `HTTP ${status}` : (e.code ?? 'fetch-failed'),
    'unreachable',
  );
}

/**
 * `--*-provider google`: a service account with domain-wide delegation, one token per mailbox
 * (subject = the user), through google-auth-library. Its token address is fixed in the library;
 * `transporter` is the library's own seam (tests route it to a loopback token endpoint).
 */
export class GoogleTokenSource implements TokenSource {
  readonly id: string;
  readonly description: string;
  readonly perUser = true;
  readonly #key: ServiceAccountKey;
  readonly #scope: string;
  readonly #transporter: JWTOptions['transporter'];

  constructor(serviceAccountJson: string, scope: string, transporter?: JWTOptions['transporter']) {
    this.#key = parseServiceAccount(serviceAccountJson);
    this.#scope = scope;
    this.#transporter = transporter;
    this.description = `Google service account ${this.#key.client_email}`;
    this.id = `google:${createHash('sha256').update(serviceAccountJson).update(scope).digest('hex').slice(0, 16)}`;
  }

  async fetch(user: string): Promise<AccessToken> {
    // Loaded when a token is first wanted: a process that never logs in to Gmail never holds it (~5 MB).
    const { JWT } = await import('google-auth-library');
    const client = new JWT({
      email: this.#key.client_email,
      key: this.#key.private_key,
      keyId: this.#key.private_key_id,
      scopes: [this.#scope],
      subject: user,
      ...(this.#transporter ? { transporter: this.#transporter } : {}),
    });
    let credentials;
    try {
      credentials = await client.authorize();
    } catch (error) {
      throw googleError(this.description, error);
    }
    if (!credentials.access_token) throw tokenError(this.description, 'no-access-token', 'refused');
    return { value: credentials.access_token, expiresAt: credentials.expiry_date ?? undefined };
  }
}
