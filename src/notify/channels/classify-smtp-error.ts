import { cappedHint } from '../../errors/retry-delay.js';
import { TrancheError, type ErrorType } from '../../errors/tranche-error.js';

/** What nodemailer puts on its errors: its own code (the socket's in originalCode), the reply and the command. */
interface ErrorShape {
  message?: string;
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  timeoutType?: string;
}

/** What the classifier knows beyond the error: which server, and which strings must never be shown. */
export interface SmtpErrorContext {
  /** 'host:port', named in every message. */
  server?: string;
  /** Strings to blank out of every message (the password, and its base64 forms as AUTH sends them). */
  secrets?: readonly string[];
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODES = /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH)/;
const THROTTLE_WORDS = /throttl|too many|\brate\b|exceeded|try again later|slow down|busy/i;
/** 'try again in 30 seconds', 'retry after 5 minutes': a wait hint, followed but capped. */
const WAIT_HINT = /(?:try again|retry)\s+(?:in|after)\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b/i;
const AUTH_REPLIES = new Set([530, 534, 535]);
/** Replies that refuse the message or its recipient rather than the session (RFC 5321 4.2.2/4.2.3). */
const MESSAGE_REPLIES = new Set([550, 551, 552, 553, 554]);

/** Blanks each secret where it stands as a token of its own (so a short one does not eat letters of words). */
function blank(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), '[redacted]');
  }
  return out;
}

function retryAfterMs(words: string): number | undefined {
  const hint = WAIT_HINT.exec(words);
  if (!hint) return undefined;
  const unit = (hint[2] ?? 's').toLowerCase().startsWith('m') ? 60_000 : 1000;
  return cappedHint(Number(hint[1]) * unit);
}

function tlsAdvice(code: string, words: string, command: string): string {
  if (/wrong version number|packet length too long|unknown protocol/i.test(words)) {
    return 'TLS handshake failed: the port does not speak TLS directly (for STARTTLS use smtp://, for implicit TLS smtps://)';
  }
  if (
    /certificate|self[- ]signed|SELF_SIGNED|DEPTH_ZERO|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH/i.test(code + words)
  ) {
    const reason = words.replace(/;\s*if the root CA is installed locally.*$/i, '');
    return `TLS certificate not trusted (${reason}); set notices.smtp.insecure: true to skip verification, or trust its CA with NODE_EXTRA_CA_CERTS=FILE`;
  }
  if (command === 'STARTTLS' || /STARTTLS/i.test(words)) {
    return `STARTTLS failed (${words}); a password or notice never goes in clear to a remote host: use smtps:// or a server that offers STARTTLS`;
  }
  return `TLS failed: ${words}`;
}

/** The type and retry flag a 4xx/5xx reply means, given the command it answered. */
function byReply(reply: number, command: string, words: string): { type: ErrorType; retryable: boolean } {
  if (AUTH_REPLIES.has(reply)) return { type: 'auth', retryable: false };
  if (command.startsWith('AUTH')) {
    // 454: temporary authentication failure; 500/502: no AUTH command at all; 504: not this mechanism.
    if (reply >= 400 && reply < 500) return { type: 'server', retryable: true };
    return { type: [500, 502, 504].includes(reply) ? 'auth-mechanism' : 'auth', retryable: false };
  }
  if (reply >= 400 && reply < 500) {
    return { type: THROTTLE_WORDS.test(words) ? 'throttled' : 'server', retryable: true };
  }
  // 503 is a bad command sequence: the session, not the message; a new connection may do.
  if (reply === 503) return { type: 'server', retryable: true };
  if (MESSAGE_REPLIES.has(reply) && (command === 'RCPT TO' || command === 'DATA')) {
    return { type: 'message-refused', retryable: false };
  }
  return { type: 'server', retryable: false };
}

/** Turns what nodemailer throws into a typed TrancheError; the message keeps the server's reply, never a secret. */
export function classifySmtpError(error: unknown, context: SmtpErrorContext = {}): TrancheError {
  if (error instanceof TrancheError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorShape;
  const secrets = context.secrets ?? [];
  const at = context.server === undefined ? 'SMTP server' : `SMTP server ${context.server}`;
  const words = blank((e.message ?? 'unknown error').replace(/\s+/g, ' ').trim(), secrets);
  const code = e.code ?? '';
  const socketCode = e.originalCode ?? code;
  const command = e.command ?? '';
  const make = (type: ErrorType, message: string, retryable: boolean, waitMs?: number): TrancheError =>
    new TrancheError(type, blank(message, secrets), { retryable, retryAfterMs: waitMs, cause: error });

  if (code === 'ETLS' || TLS_CODES.test(socketCode) || /SSL routines|certificate/i.test(words)) {
    return make('tls', `${at}: ${tlsAdvice(socketCode, words, command)}`, false);
  }
  if (/required STARTTLS/i.test(words)) {
    return make('tls', `${at}: ${tlsAdvice('', words, 'STARTTLS')}`, false);
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const { type, retryable } = byReply(e.responseCode, command, words);
    const what =
      type === 'auth'
        ? 'refused the login'
        : type === 'auth-mechanism'
          ? 'takes no login this way (if it needs none, remove notices.smtp.user)'
          : command
            ? `refused ${command}`
            : 'refused';
    return make(type, `${at} ${what}: ${words}`, retryable, retryable ? retryAfterMs(words) : undefined);
  }
  if (UNREACHABLE_CODES.has(socketCode) || code === 'EDNS') {
    return make('unreachable', `cannot reach ${at}: ${words}`, true);
  }
  if (code === 'ETIMEDOUT') {
    if (e.timeoutType === 'GREETING_TIMEOUT') {
      return make(
        'unreachable',
        `${at} sent no greeting (${words}); if the port speaks implicit TLS, use smtps://`,
        true,
      );
    }
    const type = e.timeoutType === 'CONNECT_TIMEOUT' ? 'unreachable' : 'connection-lost';
    return make(type, `${at} timed out: ${words}`, true);
  }
  if (
    code === 'ECONNECTION' ||
    DROP_CODES.has(socketCode) ||
    /pool was closed|connection closed/i.test(words)
  ) {
    // nodemailer's words for a drop when it may not re-send (maxRequeues 0) say nothing useful.
    const detail = /maximum number of retries/i.test(words) ? 'connection closed' : words;
    return make(
      'connection-lost',
      `connection to ${at} lost before the notice was accepted: ${detail}`,
      true,
    );
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') return make('auth', `${at} refused the login: ${words}`, false);
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'EMAXRECIPIENTS') {
    return make('message-refused', `the notice cannot be sent: ${words}`, false);
  }
  if (code === 'ESOCKET' || code === 'EPROTOCOL') return make('connection-lost', `${at}: ${words}`, true);
  return make('internal', words, false);
}
