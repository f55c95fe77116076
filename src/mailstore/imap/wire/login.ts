import { throttlingError } from '../classify-error.js';
import { TrancheError } from '../../../errors/tranche-error.js';
import { composeLogin, describeEndpoint, type ImapEndpoint } from '../endpoint.js';
import { bearerLogin } from './bearer-login.js';
import { astring } from './command.js';
import { warnPlaintextLogin } from './plaintext-warning.js';
import { WireConnection, type Completion } from './wire-connection.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Sends SASL exchanges that need the server's '+' between steps. */
async function saslSteps(connection: WireConnection, command: string, steps: string[]): Promise<Completion> {
  const { done } = connection.sendWithContinuations(command, steps);
  return done;
}

/**
 * Upgrades to TLS when asked and possible, then logs in. An admin logs in on the user's behalf
 * with SASL PLAIN and the user as authorization identity, and never otherwise: a server without
 * AUTH=PLAIN is refused rather than logged in to as the admin. A password never goes in clear
 * unless the endpoint allows it.
 */
export async function openAndLogin(endpoint: ImapEndpoint): Promise<WireConnection> {
  const connection = await WireConnection.open(endpoint);
  try {
    if (!connection.encrypted && endpoint.tls === 'starttls' && connection.capabilities.has('STARTTLS')) {
      await connection.startTls();
    }
    if (!connection.encrypted && !endpoint.allowPlaintext) {
      throw new TrancheError(
        'plaintext-refused',
        `${endpoint.host}:${endpoint.port} offers no TLS (no STARTTLS); refusing to send a password or token in clear (use imaps://, or --allow-plaintext on a trusted network)`,
      );
    }
    if (!connection.encrypted) warnPlaintextLogin(endpoint.host, endpoint.port);
    const caps = connection.capabilities;
    let completion: Completion;
    if (endpoint.bearer) {
      const outcome = await bearerLogin(connection, endpoint, endpoint.bearer);
      if ('completion' in outcome) {
        const words = outcome.completion.text.replace(/^\[[^\]]*\]\s*/, '');
        const throttled = throttlingError(outcome.completion.text);
        if (throttled) {
          throw new TrancheError(throttled.type, `${describeEndpoint(endpoint)}: ${throttled.message}`, {
            retryAfterMs: throttled.retryAfterMs,
          });
        }
        throw new TrancheError(
          'auth',
          `${describeEndpoint(endpoint)}: the server refused the token from ${endpoint.bearer.source} (${words}${outcome.status ? `; status ${outcome.status}` : ''}): no permission on this mailbox, a token for another user, or a token the server does not trust`,
        );
      }
      completion = outcome;
    } else if (endpoint.admin && !endpoint.loginTemplate) {
      if (!caps.has('AUTH=PLAIN')) {
        throw new TrancheError(
          'auth-mechanism',
          `${endpoint.host}:${endpoint.port} does not offer AUTH=PLAIN, needed to log in as ${endpoint.admin} on behalf of ${endpoint.user}; use a login template (--*-login-template) if the server has one`,
        );
      }
      completion = await plain(connection, endpoint.user, endpoint.admin, endpoint.password);
    } else {
      const user =
        endpoint.admin && endpoint.loginTemplate
          ? composeLogin(endpoint.loginTemplate, endpoint.user, endpoint.admin)
          : endpoint.user;
      if (!caps.has('LOGINDISABLED')) {
        completion = await connection.send(['LOGIN ', astring(user), ' ', astring(endpoint.password)]).done;
      } else if (caps.has('AUTH=PLAIN')) {
        completion = await plain(connection, '', user, endpoint.password);
      } else if (caps.has('AUTH=LOGIN')) {
        completion = await saslSteps(connection, 'AUTHENTICATE LOGIN', [b64(user), b64(endpoint.password)]);
      } else {
        throw new TrancheError(
          'auth-mechanism',
          `${endpoint.host}:${endpoint.port} offers no login method tranche can use`,
        );
      }
    }
    if (completion.status !== 'OK') {
      const words = completion.text.replace(/^\[[^\]]*\]\s*/, '');
      // A busy server (Office 365 throttles logins too) is not a wrong password: wait and try again.
      const throttled = throttlingError(completion.text);
      if (throttled)
        throw new TrancheError(throttled.type, `${describeEndpoint(endpoint)}: ${throttled.message}`, {
          retryAfterMs: throttled.retryAfterMs,
        });
      // RFC 5530 CONTACTADMIN, or the server's words: the account exists but may not log in.
      if (
        /^\[CONTACTADMIN\]/i.test(completion.text) ||
        /disabled|locked|suspended|inactive|expired/i.test(words)
      ) {
        throw new TrancheError(
          'account-disabled',
          `${describeEndpoint(endpoint)}: account disabled or locked (${words})`,
        );
      }
      if (endpoint.admin) {
        throw new TrancheError(
          'authz-refused',
          `login as ${endpoint.admin} on behalf of ${endpoint.user} refused at ${endpoint.host}:${endpoint.port}: wrong admin password, no such user, or the admin may not act for this user (${words})`,
        );
      }
      throw new TrancheError('auth', `${describeEndpoint(endpoint)}: login refused (${words})`);
    }
    const caps2 = /\[CAPABILITY ([^\]]*)\]/i.exec(completion.text);
    if (caps2) connection.capabilities = new Set(caps2[1]!.toUpperCase().split(/\s+/));
    else await connection.refreshCapabilities();
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

function plain(
  connection: WireConnection,
  authzid: string,
  user: string,
  password: string,
): Promise<Completion> {
  const response = b64(`${authzid}\0${user}\0${password}`);
  if (connection.capabilities.has('SASL-IR')) return connection.send([`AUTHENTICATE PLAIN ${response}`]).done;
  return saslSteps(connection, 'AUTHENTICATE PLAIN', [response]);
}
