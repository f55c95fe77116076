import { TrancheError } from '../../errors/tranche-error.js';
import type { StoreLogin } from '../store-login.js';

/** How to reach and log in to one IMAP account. */
export interface ImapEndpoint extends StoreLogin {
  host: string;
  port: number;
  /** 'implicit' for imaps://, 'starttls' for imap:// (upgraded when offered). */
  tls: 'implicit' | 'starttls';
}

/** Splits an imap:// or imaps:// URL into host, port and TLS mode; anything else is a usage error. */
export function parseImapUrl(text: string, label: string): Pick<ImapEndpoint, 'host' | 'port' | 'tls'> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TrancheError(
      'usage',
      `${label}: '${text}' is not a URL; expected imap://HOST[:PORT] or imaps://HOST[:PORT]`,
    );
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') {
    throw new TrancheError(
      'usage',
      `${label}: unsupported scheme '${url.protocol}'; expected imap:// or imaps://`,
    );
  }
  if (url.username || url.password) {
    throw new TrancheError(
      'usage',
      `${label}: credentials do not belong in the URL; use the --*-user flags and a password file or variable`,
    );
  }
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw new TrancheError('usage', `${label}: the URL must name only a host and port, not a path or query`);
  }
  if (!url.hostname) throw new TrancheError('usage', `${label}: the URL has no host`);
  const implicit = url.protocol === 'imaps:';
  const port = url.port ? Number(url.port) : implicit ? 993 : 143;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port, tls: implicit ? 'implicit' : 'starttls' };
}

/** Builds a login string from a template such as '{user}*{admin}'; both placeholders are optional. */
export function composeLogin(template: string, user: string, admin: string): string {
  if (!template.includes('{user}')) {
    throw new TrancheError('usage', `login template '${template}' must contain {user}`);
  }
  return template.replaceAll('{user}', user).replaceAll('{admin}', admin);
}

/** A short name for logs and messages: never a password. */
export function describeEndpoint(endpoint: ImapEndpoint): string {
  const scheme = endpoint.tls === 'implicit' ? 'imaps' : 'imap';
  const who = endpoint.admin ? `${endpoint.user} (as ${endpoint.admin})` : endpoint.user;
  return `${who} at ${scheme}://${endpoint.host}:${endpoint.port}`;
}
