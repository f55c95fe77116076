import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTransport,
  type SMTPPoolOptions,
  type SMTPPoolSentMessageInfo,
  type Transporter,
} from 'nodemailer';
import { TrancheError } from '../../errors/tranche-error.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { NoticesConfig } from '../../programme/config/config.js';
import type { NoticeChannel, OutgoingNotice } from '../channel.js';
import { classifySmtpError } from './classify-smtp-error.js';
import { type Environment, processEnvironment, readEnvironment } from '../../environment/environment.js';

/** The smtp part of the notices configuration. */
export type SmtpConfig = NoticesConfig['smtp'];

/** Options of an SMTP channel beyond the configuration; all optional. */
export interface SmtpChannelOptions {
  logger?: Logger;
  /** How long close() lets a delivery in flight finish before cutting its connection (default 10 s). */
  closeGraceMs?: number;
  /** A monotonic clock in ms, for the rate limiter (default performance.now). */
  now?: () => number;
}

const DEFAULT_PORTS = { smtp: 587, smtps: 465 } as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const RATE_WINDOW_MS = 60_000;
const DEFAULT_CLOSE_GRACE_MS = 10_000;
const MAX_CONNECTIONS = 2;

/** Where an smtp:// or smtps:// URL points. */
export interface SmtpEndpoint {
  secure: boolean;
  host: string;
  port: number;
}

/** Parses notices.smtp.url (validated by the config schema as smtp(s)://HOST[:PORT]). */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  const parsed = new URL(url);
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    throw new TrancheError(
      'usage',
      `notices.smtp.url: '${url}' is not smtp://HOST:PORT or smtps://HOST:PORT`,
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new TrancheError('usage', `notices.smtp.url: '${url}' names no host`);
  return {
    secure: scheme === 'smtps',
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORTS[scheme],
  };
}

/** True for the hosts a password may reach without TLS: this machine by its usual names. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/**
 * The SMTP password: passwordFile (one trailing newline dropped), else TRANCHE_SMTP_PASSWORD; undefined
 * without a user. A user without either is a usage error; the error never shows the password.
 */
export function readSmtpPassword(
  smtp: SmtpConfig,
  env: Environment = processEnvironment(),
): string | undefined {
  if (smtp.user === undefined) return undefined;
  let password: string | undefined;
  if (smtp.passwordFile !== undefined) {
    try {
      password = readFileSync(smtp.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      const message = `notices.smtp.passwordFile: cannot read ${smtp.passwordFile} (${reason})`;
      throw new TrancheError('usage', message, { cause: error });
    }
    if (password === '') {
      throw new TrancheError('usage', `notices.smtp.passwordFile: ${smtp.passwordFile} is empty`);
    }
  } else {
    password = readEnvironment('TRANCHE_SMTP_PASSWORD', env);
  }
  if (password === undefined || password === '') {
    throw new TrancheError(
      'usage',
      `notices.smtp.user is set but no password is given: set notices.smtp.passwordFile or TRANCHE_SMTP_PASSWORD`,
    );
  }
  return password;
}

/**
 * nodemailer's pooled-transport options. smtp:// upgrades with STARTTLS when offered and requires it for
 * any host but loopback, so neither a password nor a notice crosses the network in clear; smtps:// is TLS
 * from the start. No rateLimit here: see SendRateLimiter.
 */
export function smtpTransportOptions(
  smtp: SmtpConfig,
  password: string | undefined,
): SMTPPoolOptions & { pool: true; host: string; port: number } {
  const { secure, host, port } = parseSmtpUrl(smtp.url);
  return {
    pool: true,
    host,
    port,
    secure,
    requireTLS: !secure && !isLoopbackHost(host),
    tls: { rejectUnauthorized: !smtp.insecure, minVersion: 'TLSv1.2' },
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: password },
    // Given credentials are always used: a server that does not offer AUTH fails loudly, not silently.
    forceAuth: smtp.user !== undefined,
    maxConnections: MAX_CONNECTIONS,
    // Retries belong to the notice ledger's back-off: a message whose connection drops fails at once
    // (connection-lost, retryable) rather than being re-sent by nodemailer behind the caller's back.
    maxRequeues: 0,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 5 * 60_000,
    // Notices are rendered text: nothing in them may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

/**
 * At most `limit` sends start in any window of `windowMs` (a sliding-window log of start times).
 * Ours rather than nodemailer's rateLimit/rateDelta, which counts in fixed windows (up to twice the limit
 * across a window edge) and lets each new pooled connection take a message without asking it.
 * Pure bookkeeping: the caller passes the time and does the waiting, so the decisions are testable.
 */
export class SendRateLimiter {
  /** Start times of the last `limit` sends, ascending (some may lie in the future: reserved). */
  private readonly starts: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number = RATE_WINDOW_MS,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer`);
  }

  /** Reserves the earliest start at or after `now` that keeps the limit; returns the wait in ms (0: go now). */
  reserve(now: number): number {
    const last = this.starts.at(-1) ?? Number.NEGATIVE_INFINITY;
    const oldest = this.starts.length < this.limit ? undefined : this.starts[this.starts.length - this.limit];
    // Never before the previous reservation, so starts stay ordered even if the clock is read out of order.
    const start = Math.max(now, last, oldest === undefined ? now : oldest + this.windowMs);
    this.starts.push(start);
    if (this.starts.length > this.limit) this.starts.shift();
    return start - now;
  }
}

/** Notices by SMTP through a nodemailer connection pool. */
export class SmtpChannel implements NoticeChannel {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private closed: Promise<void> | undefined;
  /** Set when close() cut deliveries still in flight after the grace. */
  private cut = false;

  constructor(
    private readonly transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>,
    private readonly limiter: SendRateLimiter,
    /** 'host:port', for messages. */
    private readonly server: string,
    /** Strings no error message may contain. */
    private readonly secrets: readonly string[],
    private readonly options: Required<SmtpChannelOptions>,
  ) {}

  /** Sends one notice; its Message-ID header is exactly notice.messageId. */
  async send(notice: OutgoingNotice): Promise<void> {
    if (this.closed !== undefined) throw new TrancheError('internal', 'send() on a closed SMTP channel');
    const wait = this.limiter.reserve(this.options.now());
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal: this.closing.signal });
      } catch (error) {
        throw new TrancheError('connection-lost', 'the SMTP channel closed before the notice went out', {
          retryable: true,
          cause: error,
        });
      }
    }
    const delivery = this.transport.sendMail({
      messageId: notice.messageId,
      from: notice.from,
      to: notice.to,
      subject: notice.subject,
      text: notice.text,
      html: notice.html,
    });
    this.inFlight.add(delivery);
    try {
      const info = await delivery;
      if (info.rejected.length > 0) {
        // Accepted for the other recipients: a retry would send them a second copy, so this is not an error.
        this.options.logger.warn(
          { messageId: notice.messageId, rejected: info.rejected, server: this.server },
          'SMTP server refused some recipients of a notice',
        );
      }
    } catch (error) {
      const classified = classifySmtpError(error, { server: this.server, secrets: this.secrets });
      if (this.cut && classified.type === 'connection-lost') {
        throw new TrancheError(
          'connection-lost',
          `the SMTP channel closed before ${this.server} accepted the notice (still waiting after ${this.options.closeGraceMs} ms)`,
          { retryable: true, cause: error },
        );
      }
      throw classified;
    } finally {
      this.inFlight.delete(delivery);
    }
  }

  /**
   * Stops taking notices: sends waiting for the rate limiter fail (retryable), deliveries in flight get
   * closeGraceMs to finish, then their connections are cut (they fail as connection-lost).
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing.abort();
    this.transport.close();
    if (this.inFlight.size === 0) return;
    const settled = Promise.allSettled([...this.inFlight]).then(() => 'settled' as const);
    const timer = new AbortController();
    const graceOver = sleep(this.options.closeGraceMs, 'grace-over' as const, { signal: timer.signal });
    const first = await Promise.race([settled, graceOver.catch(() => 'settled' as const)]);
    timer.abort();
    if (first === 'grace-over') {
      this.cut = true;
      this.transport.close({ force: true });
      await settled;
    }
  }
}

/** The channel for the programme's notices.smtp settings; reads the password now (a usage error if missing). */
export function createSmtpChannel(
  notices: NoticesConfig,
  env: Environment = processEnvironment(),
  options: SmtpChannelOptions = {},
): SmtpChannel {
  const smtp = notices.smtp;
  const password = readSmtpPassword(smtp, env);
  const transportOptions = smtpTransportOptions(smtp, password);
  const secrets =
    password === undefined
      ? []
      : [
          password,
          Buffer.from(password).toString('base64'),
          Buffer.from(`\0${smtp.user ?? ''}\0${password}`).toString('base64'),
        ];
  return new SmtpChannel(
    createTransport(transportOptions),
    new SendRateLimiter(smtp.ratePerMinute),
    transportOptions.host.includes(':')
      ? `[${transportOptions.host}]:${transportOptions.port}`
      : `${transportOptions.host}:${transportOptions.port}`,
    secrets,
    {
      logger: options.logger ?? silentLogger(),
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      now: options.now ?? (() => performance.now()),
    },
  );
}
