import { TrancheError } from '../../../errors/tranche-error.js';
import type { BearerLogin } from '../../../credentials/bearer-login.js';
import type { ImapEndpoint } from '../endpoint.js';
import type { Completion, WireConnection } from './wire-connection.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The initial response of XOAUTH2 (Google's and Microsoft's mechanism) or OAUTHBEARER (RFC 7628). */
export function bearerResponse(
  endpoint: ImapEndpoint,
  mechanism: BearerLogin['mechanism'],
  token: string,
): string {
  if (mechanism === 'xoauth2') return b64(`user=${endpoint.user}\x01auth=Bearer ${token}\x01\x01`);
  const user = endpoint.user.replaceAll('=', '=3D').replaceAll(',', '=2C');
  return b64(
    `n,a=${user},\x01host=${endpoint.host}\x01port=${endpoint.port}\x01auth=Bearer ${token}\x01\x01`,
  );
}

/** A refused OAuth2 login: the server's words and the status its JSON challenge carried, if any. */
export interface BearerRefusal {
  completion: Completion;
  /** The `status` of the server's `+ <base64 JSON>` challenge: '401', 'invalid_token', ... */
  status: string | undefined;
}

/** The `status` of a failure challenge, or undefined when it is not the JSON RFC 7628 describes. */
function challengeStatus(text: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as { status?: unknown };
    return typeof parsed.status === 'string' || typeof parsed.status === 'number'
      ? String(parsed.status)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One AUTHENTICATE with a token, SASL-IR when offered. A server refusing a token first sends
 * `+ <base64 JSON>` and waits: it gets an empty line (the last step), or the client would hang.
 */
async function attempt(
  connection: WireConnection,
  endpoint: ImapEndpoint,
  mechanism: BearerLogin['mechanism'],
  token: string,
): Promise<{ completion: Completion; status: string | undefined }> {
  const name = mechanism.toUpperCase();
  const response = bearerResponse(endpoint, mechanism, token);
  let status: string | undefined;
  const hear = (text: string): void => {
    status ??= text === '' ? undefined : challengeStatus(text);
  };
  const { done } = connection.capabilities.has('SASL-IR')
    ? connection.sendWithContinuations(`AUTHENTICATE ${name} ${response}`, [''], hear)
    : connection.sendWithContinuations(`AUTHENTICATE ${name}`, [response, ''], hear);
  return { completion: await done, status };
}

/**
 * Logs in with the bearer's token. A cached token the server refuses (expired early, revoked) is
 * replaced once by a fresh one on the same connection; a fresh token refused is the answer.
 */
export async function bearerLogin(
  connection: WireConnection,
  endpoint: ImapEndpoint,
  bearer: BearerLogin,
): Promise<Completion | BearerRefusal> {
  const name = bearer.mechanism.toUpperCase();
  if (!connection.capabilities.has(`AUTH=${name}`)) {
    throw new TrancheError(
      'auth-mechanism',
      `${endpoint.host}:${endpoint.port} does not offer AUTH=${name} for ${bearer.source}; try --*-auth ${bearer.mechanism === 'xoauth2' ? 'oauthbearer' : 'xoauth2'} if it offers that`,
    );
  }
  let token = await bearer.token(false);
  let result = await attempt(connection, endpoint, bearer.mechanism, token.accessToken);
  if (result.completion.status !== 'OK' && token.cached) {
    token = await bearer.token(true);
    result = await attempt(connection, endpoint, bearer.mechanism, token.accessToken);
  }
  return result.completion.status === 'OK' ? result.completion : result;
}
