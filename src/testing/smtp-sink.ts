// Test harness: an SMTP server (smtp-server) on a free loopback port that parses what it receives
// (mailparser) and answers each message as the test says: accept, reject, or hold it unanswered.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { makeCertificate } from './self-signed-cert.js';

/** What the sink answers to a message: 250, 451, 550, or nothing at all (the client waits). */
export type SinkVerdict = 'accept' | 'reject-temporary' | 'reject-permanent' | 'hold';

/** What the sink answers to one RCPT TO: 250, 451 or 550. */
export type RecipientVerdict = 'accept' | 'reject-temporary' | 'reject-permanent';

/** A message as the sink received it, parsed. */
export interface ReceivedMessage {
  /** The Message-ID header, angle brackets included ('' when there was none). */
  messageId: string;
  /** The From header as 'Name <address>' (or the bare address when it has no name). */
  from: string;
  /** Each To address as 'Name <address>' or the bare address, in header order. */
  to: string[];
  subject: string;
  text: string;
  /** The HTML part ('' when there was none). */
  html: string;
  /** The message exactly as it came over DATA. */
  raw: Buffer;
  /** The SMTP envelope: MAIL FROM and the RCPT TO addresses the sink accepted. */
  envelope: { from: string; to: string[] };
  receivedAt: Date;
}

/** Options of a test SMTP sink. */
export interface SmtpSinkOptions {
  /** Require AUTH with these credentials (plain AUTH is allowed without TLS); default: no AUTH offered. */
  auth?: { user: string; password: string };
  /** Offer STARTTLS on `port` and implicit TLS on `tlsPort`, with a fresh self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /** The loopback address to listen on (default '127.0.0.1'; any 127.x.y.z works on Linux). */
  host?: string;
  /** Decides each message's answer once it is parsed (default: accept). A throw answers 451. */
  onMessage?: (message: ReceivedMessage) => Promise<SinkVerdict>;
  /** Decides each recipient's answer at RCPT TO (default: accept). */
  onRecipient?: (address: string) => RecipientVerdict;
}

/** A running test SMTP sink. */
export interface SmtpSink {
  host: string;
  /** The plain port (STARTTLS offered with the tls option). */
  port: number;
  /** `smtp://${host}:${port}` */
  url: string;
  /** With the tls option: the implicit-TLS port. */
  tlsPort: number | undefined;
  /** With the tls option: `smtps://${host}:${tlsPort}`. */
  tlsUrl: string | undefined;
  /** With the tls option: the self-signed certificate (PEM file), to trust it explicitly. */
  certFile: string | undefined;
  /** Messages accepted (250 sent), in order; rejected and held ones are not here. */
  readonly messages: readonly ReceivedMessage[];
  /** AUTH attempts seen, successful or not. */
  readonly authAttempts: number;
  /** Errors the server reported (a client dropping a TLS handshake, a socket error), in order. */
  readonly serverErrors: readonly Error[];
  /** Resolves with the accepted messages once there are at least n; rejects after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Destroys every open connection at once, as a network failure would; held messages are lost. */
  dropConnections(): void;
  /** Drops every connection, stops listening and removes the certificate directory. */
  stop(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_WAIT_MS = 10_000;

/** Replies for the verdicts; smtp-server adds the enhanced status code. */
const REJECTIONS = {
  'reject-temporary': { responseCode: 451, message: 'Temporary local problem, please retry' },
  'reject-permanent': { responseCode: 550, message: 'Message refused by policy' },
} as const;

function smtpError(verdict: keyof typeof REJECTIONS): Error & { responseCode: number } {
  const { responseCode, message } = REJECTIONS[verdict];
  return Object.assign(new Error(message), { responseCode });
}

function formatAddresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects.flatMap((o) =>
    o.value.map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''))),
  );
}

function toReceived(parsed: ParsedMail, raw: Buffer, envelope: ReceivedMessage['envelope']): ReceivedMessage {
  return {
    messageId: parsed.messageId ?? '',
    from: formatAddresses(parsed.from)[0] ?? '',
    to: formatAddresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html || '',
    raw,
    envelope,
    receivedAt: new Date(),
  };
}

/** Listens on a free port of host (port 0: the kernel picks, so there is no probe-then-bind race). */
async function listen(server: SMTPServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      const address = server.server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

/** Starts an SMTP sink on a free loopback port. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const host = options.host ?? DEFAULT_HOST;
  const dir = options.tls ? await mkdtemp(path.join(os.tmpdir(), 'tranche-smtp-sink-')) : undefined;
  const tlsFiles = dir === undefined ? undefined : await makeCertificate(dir);
  const tlsOptions = tlsFiles && { cert: await readFile(tlsFiles.cert), key: await readFile(tlsFiles.key) };

  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  let authAttempts = 0;

  const serverOptions = (secure: boolean): SMTPServerOptions => ({
    ...tlsOptions,
    secure,
    logger: false,
    disableReverseLookup: true,
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: [...(options.auth ? [] : ['AUTH']), ...(tlsOptions ? [] : ['STARTTLS'])],
    onAuth(auth, _session, callback) {
      authAttempts++;
      const want = options.auth;
      if (want && auth.username === want.user && auth.password === want.password) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      const verdict = options.onRecipient?.(address.address) ?? 'accept';
      callback(verdict === 'accept' ? null : smtpError(verdict));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        void (async () => {
          const message = toReceived(await simpleParser(raw), raw, envelope);
          const verdict = options.onMessage ? await options.onMessage(message) : 'accept';
          if (verdict === 'hold') return; // never answered: the client waits until it gives up
          if (verdict !== 'accept') return callback(smtpError(verdict));
          messages.push(message);
          for (const wake of [...waiters]) wake();
          callback(null, `queued as ${messages.length}`);
        })().catch((error: unknown) =>
          callback(Object.assign(new Error(`sink failed: ${String(error)}`), { responseCode: 451 })),
        );
      });
    },
  });

  const servers = [new SMTPServer(serverOptions(false))];
  if (tlsOptions) servers.push(new SMTPServer(serverOptions(true)));
  // A client giving up on a TLS handshake (say, over an untrusted certificate) is an 'error' of the server.
  const serverErrors: Error[] = [];
  for (const server of servers) server.on('error', (error) => serverErrors.push(error));
  const ports: number[] = [];
  try {
    for (const server of servers) ports.push(await listen(server, host));
  } catch (error) {
    for (const server of servers.slice(0, ports.length)) server.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const port = ports[0] ?? 0;
  const tlsPort = ports[1];

  // Destroys the topmost socket of each connection: tearing down the TCP socket under a TLS one
  // (implicit TLS, or after STARTTLS) crashes Node.
  const dropConnections = (): void => {
    for (const server of servers) {
      for (const top of server._pendingSockets.values()) top.destroy();
      for (const connection of server.connections) connection._socket.destroy();
    }
  };
  let stopped = false;
  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    tlsPort,
    tlsUrl: tlsPort === undefined ? undefined : `smtps://${host}:${tlsPort}`,
    certFile: tlsFiles?.cert,
    messages,
    get authAttempts() {
      return authAttempts;
    },
    serverErrors,
    async waitFor(n: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ReceivedMessage[]> {
      if (messages.length >= n) return [...messages];
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (messages.length < n) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve([...messages]);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(
            new Error(`the SMTP sink received ${messages.length} of ${n} messages within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    dropConnections,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      dropConnections();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(resolve))));
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
