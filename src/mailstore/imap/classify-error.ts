import { TrancheError, type ErrorType } from '../../errors/tranche-error.js';

/** What a socket error or a NO/BAD completion tells: a Node error code, or the server's words and response code. */
interface ErrorShape {
  message?: string;
  code?: string;
  responseText?: string;
  serverResponseCode?: string;
  responseStatus?: string;
}

const THROTTLE_WORDS = /throttl|too many|rate limit|try again later|\[THROTTLED\]|server busy/i;
const TOO_BIG_WORDS = /too (large|big)|larger than|size (limit|exceed)|message size|TOOBIG|APPENDLIMIT/i;
const QUOTA_WORDS = /quota|mailbox is full|OVERQUOTA/i;
const BACKOFF_HINT = /Suggested Backoff Time:\s*(\d+)\s*milliseconds/i;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Response codes that say "not now": [THROTTLED], and RFC 5530's [LIMIT] (a server-set limit reached). */
const THROTTLE_CODES = new Set(['THROTTLED', 'LIMIT']);

/**
 * A throttling reply — throttling words (Office 365: "Request is throttled. Suggested Backoff Time: N
 * milliseconds"), or the [THROTTLED] or [LIMIT] response code — as a retryable error carrying the
 * server's hint; undefined when the reply is something else.
 */
export function throttlingError(words: string, responseCode = '', cause?: unknown): TrancheError | undefined {
  if (!THROTTLE_WORDS.test(words) && !THROTTLE_CODES.has(responseCode.toUpperCase())) return undefined;
  const hint = BACKOFF_HINT.exec(words);
  return new TrancheError('throttled', `server is throttling: ${words}`, {
    cause,
    retryAfterMs: hint ? Number(hint[1]) : undefined,
  });
}

/** The server's own words for an error, without anything that could be a secret. */
function serverWords(e: ErrorShape): string {
  return (e.responseText ?? e.message ?? 'unknown error').replace(/\s+/g, ' ').trim();
}

function isTlsFailure(code: string, words: string): boolean {
  return (
    /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL)/.test(code) ||
    /SSL routines|certificate/i.test(words)
  );
}

/** The TLS failure in words a user can act on; OpenSSL's own text is kept only when nothing better fits. */
function tlsAdvice(code: string, words: string): string {
  if (/wrong version number|packet length too long|unknown protocol/i.test(words)) {
    return 'TLS handshake failed: the port does not speak TLS directly (for STARTTLS use imap://, for implicit TLS imaps://)';
  }
  if (/certificate|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO_|CERT_/i.test(code + words)) {
    const reason = words.replace(/;\s*if the root CA is installed locally.*$/i, '');
    return `TLS certificate not trusted (${reason}); use --insecure to skip verification, or trust its CA with NODE_EXTRA_CA_CERTS=FILE`;
  }
  return `TLS failed: ${words}`;
}

/** Turns a socket error or a server's refusal into a typed TrancheError; `phase` says what was going on. */
export function classifyImapError(error: unknown, phase: 'connect' | 'command'): TrancheError {
  if (error instanceof TrancheError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape;
  const words = serverWords(e);
  const code = e.code ?? '';
  let type: ErrorType;
  const responseCode = e.serverResponseCode ?? '';
  if (
    phase === 'command' &&
    (TOO_BIG_WORDS.test(words) || responseCode === 'TOOBIG' || responseCode === 'APPENDLIMIT')
  ) {
    return new TrancheError('message-refused', words, { cause: error });
  }
  if (phase === 'command' && (responseCode === 'OVERQUOTA' || QUOTA_WORDS.test(words))) {
    return new TrancheError('quota', `target is over quota: ${words}`, { cause: error });
  }
  const throttled = throttlingError(words, responseCode, error);
  if (throttled) {
    return throttled;
  } else if (isTlsFailure(code, words)) {
    return new TrancheError('tls', tlsAdvice(code, words), { cause: error });
  } else if (NETWORK_CODES.has(code)) {
    type = 'unreachable';
  } else if (/STARTTLS/i.test(words) && phase !== 'command') {
    type = 'plaintext-refused';
  } else if (e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    type = 'auth';
  } else if (DROP_CODES.has(code) || /connection (closed|reset|not available)|socket/i.test(words)) {
    type = phase === 'connect' ? 'unreachable' : 'connection-lost';
  } else {
    type = 'server';
  }
  return new TrancheError(type, words, { cause: error, retryable: type === 'connection-lost' });
}
