import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { TrancheError } from '../../errors/tranche-error.js';
import { classifyImapError } from './classify-error.js';
import { composeLogin, describeEndpoint, type ImapEndpoint } from './endpoint.js';

/** The part of imapflow's client that runs the login step; not in its public types. */
interface AuthenticatingClient {
  authenticate(): Promise<boolean>;
}

/** Connection timeouts, in milliseconds. */
const CONNECTION_TIMEOUT_MS = 20_000;
const SOCKET_TIMEOUT_MS = 300_000;

function authOptions(endpoint: ImapEndpoint): ImapFlowOptions['auth'] {
  if (!endpoint.admin) return { user: endpoint.user, pass: endpoint.password };
  if (endpoint.loginTemplate) {
    const user = composeLogin(endpoint.loginTemplate, endpoint.user, endpoint.admin);
    // A composed login carries no authzid, so any mechanism the server offers will do.
    return { user, pass: endpoint.password };
  }
  return { user: endpoint.admin, pass: endpoint.password, authzid: endpoint.user, loginMethod: 'AUTH=PLAIN' };
}

/**
 * Checks, just before credentials are sent, what imapflow would otherwise decide silently: that the
 * connection is encrypted (or plaintext was allowed), and that an admin login really goes through
 * SASL PLAIN with an authorization identity. imapflow falls back to LOGIN when AUTH=PLAIN is not
 * offered, which would drop the authzid and open the admin's own mailbox.
 */
function guardLogin(client: ImapFlow, endpoint: ImapEndpoint): void {
  const authenticating = client as unknown as AuthenticatingClient;
  const login = authenticating.authenticate.bind(client);
  authenticating.authenticate = async () => {
    if (!client.secureConnection && !endpoint.allowPlaintext) {
      throw new TrancheError(
        'plaintext-refused',
        `${endpoint.host}:${endpoint.port} offers no TLS (no STARTTLS); refusing to send a password in clear (use imaps://, or --allow-plaintext on a trusted network)`,
      );
    }
    if (endpoint.admin && !endpoint.loginTemplate && !client.capabilities.has('AUTH=PLAIN')) {
      throw new TrancheError(
        'auth-mechanism',
        `${endpoint.host}:${endpoint.port} does not offer AUTH=PLAIN, needed to log in as ${endpoint.admin} on behalf of ${endpoint.user}; use a login template (--*-login-template) if the server has one`,
      );
    }
    return login();
  };
}

/** Opens an authenticated IMAP connection, or throws a typed error naming what went wrong. */
export async function connectImap(endpoint: ImapEndpoint): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.tls === 'implicit',
    // Opportunistic STARTTLS; guardLogin refuses a clear-text login unless allowed.
    doSTARTTLS: endpoint.tls === 'implicit' ? undefined : endpoint.allowPlaintext ? undefined : true,
    tls: { rejectUnauthorized: !endpoint.insecure },
    auth: authOptions(endpoint),
    logger: false,
    emitLogs: false,
    disableAutoIdle: true,
    disableAutoEnable: false,
    qresync: false,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  guardLogin(client, endpoint);
  // imapflow emits 'error' on socket trouble; the failing command rejects too, so only keep it from crashing.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.close();
    const phase = client.greeting || client.capabilities.size > 0 ? 'login' : 'connect';
    const typed = classifyImapError(error, phase);
    if (typed.type === 'auth' && endpoint.admin) {
      throw new TrancheError(
        'authz-refused',
        `login as ${endpoint.admin} on behalf of ${endpoint.user} refused at ${endpoint.host}:${endpoint.port}: wrong admin password, no such user, or the admin may not act for this user (${typed.message})`,
        { cause: error },
      );
    }
    throw new TrancheError(typed.type, `${describeEndpoint(endpoint)}: ${typed.message}`, {
      cause: error,
      retryable: typed.retryable,
      retryAfterMs: typed.retryAfterMs,
    });
  }
  return client;
}
