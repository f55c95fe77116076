import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { TrancheError } from '../errors/tranche-error.js';
import { retryDelay, type RetrySpacing } from '../errors/retry-delay.js';
import type { DavEndpoint } from './dav-endpoint.js';

/** Called before every request with its method, URL and headers (tests watch for Schedule-Reply with it). */
export type DavRequestWatch = (method: string, url: string, headers: Record<string, string>) => void;

/** An HTTP reply, read whole (DAV replies and items are small; a 1 MB attachment is the large case). */
export interface DavReply {
  status: number;
  /** Header lookup by lower-case name. */
  headers: { get(name: string): string | null };
  body: Buffer;
  /** The final URL after redirects. */
  url: string;
}

/** One request as it goes on the wire. */
interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payload: Buffer | undefined;
  signal: AbortSignal | undefined;
}

const TIMEOUT_MS = 60_000;
const MAX_RETRY_AFTER_MS = 300_000;
const MAX_REDIRECTS = 5;
/**
 * A request whose connection is lost (reset, cut off, no answer) is sent again this many times. Safe
 * for every request tranche sends: reads are idempotent, and each write is conditional, so a repeat
 * of a write that did land answers 412 (or 404 for a DELETE), which the copy already reads and
 * compares. Before, one reply cut off (seen through a 20 ms test proxy) failed a whole collection.
 */
const LOST_CONNECTION_RETRIES = 3;
const LOST_CONNECTION_SPACING: RetrySpacing = { baseMs: 200, maxMs: 2_000 };
// A request that got no answer in TIMEOUT_MS is not sent again here: the server is not full, it is
// stuck, and the pass fails as before (the runner retries it later).
const timeouts = new WeakSet<Error>();

/**
 * HTTP for one DAV side over node:http keep-alive agents: authorisation on every request, redirects
 * followed (same method and body, as DAV clients do), transport errors typed.
 */
export class DavHttp {
  readonly #endpoint: DavEndpoint;
  readonly #watch: DavRequestWatch | undefined;
  readonly #agent: http.Agent;
  readonly #tlsAgent: https.Agent;

  constructor(endpoint: DavEndpoint, connections: number, watch?: DavRequestWatch) {
    this.#endpoint = endpoint;
    this.#watch = watch;
    // Keep-alive connections, as many as the copy runs requests at once.
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    this.#tlsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: connections,
      rejectUnauthorized: !endpoint.insecure,
    });
  }

  /** Sends one request; throws a typed error only when no answer came (or the answer means "log in again" or "slow down"). */
  async request(
    method: string,
    url: URL | string,
    headers: Record<string, string> = {},
    body?: string | Buffer,
    signal?: AbortSignal,
  ): Promise<DavReply> {
    this.#watch?.(method, String(url), headers);
    const payload =
      body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const allHeaders: Record<string, string> = { Authorization: await this.#authorization(), ...headers };
    if (payload) allHeaders['Content-Length'] = String(payload.length);
    let target = new URL(String(url));
    for (let hop = 0; ; hop++) {
      const reply = await this.#sent({ method, url: target, headers: allHeaders, payload, signal });
      const location = reply.headers.get('location');
      if ([301, 302, 307, 308].includes(reply.status) && location && hop < MAX_REDIRECTS) {
        target = new URL(location, target);
        continue;
      }
      return this.#judge(reply, target);
    }
  }

  /** One request, sent again after a lost connection (see LOST_CONNECTION_RETRIES). */
  async #sent(out: OutgoingRequest): Promise<DavReply> {
    const { signal } = out;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(out);
      } catch (error) {
        const lost =
          error instanceof TrancheError && error.type === 'connection-lost' && !timeouts.has(error);
        if (!lost || signal?.aborted || attempt > LOST_CONNECTION_RETRIES) throw error;
        await sleep(retryDelay(LOST_CONNECTION_SPACING, attempt), undefined, { signal });
      }
    }
  }

  #judge(reply: DavReply, url: URL): DavReply {
    if (reply.status === 401) throw new TrancheError('auth', `${url.host} refused the login (401)`);
    if (reply.status === 429 || reply.status === 503) {
      throw new TrancheError('throttled', `${url.host} asked to slow down (${reply.status})`, {
        retryAfterMs: retryAfter(reply.headers.get('retry-after')),
      });
    }
    return reply;
  }

  #once({ method, url, headers, payload, signal }: OutgoingRequest): Promise<DavReply> {
    const tls = url.protocol === 'https:';
    return new Promise<DavReply>((resolve, reject) => {
      const req = (tls ? https : http).request(url, {
        method,
        headers,
        agent: tls ? this.#tlsAgent : this.#agent,
        timeout: TIMEOUT_MS,
        signal,
      });
      req.on('timeout', () => {
        const error = new TrancheError(
          'connection-lost',
          `${url.host}: no answer within ${TIMEOUT_MS / 1000} s`,
        );
        timeouts.add(error);
        req.destroy(error);
      });
      req.on('error', (error) => {
        if (signal?.aborted)
          reject(
            signal.reason instanceof Error ? signal.reason : new TrancheError('connection-lost', 'aborted'),
          );
        else reject(error instanceof TrancheError ? error : transportError(error, url));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => reject(transportError(error, url)));
        res.on('end', () => {
          if (!res.complete) {
            reject(new TrancheError('connection-lost', `reply from ${url.host} cut off`));
            return;
          }
          const raw = res.headers;
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              get: (name: string) => {
                const v = raw[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
              },
            },
            body: Buffer.concat(chunks),
            url: url.toString(),
          });
        });
      });
      req.end(payload);
    });
  }

  async #authorization(): Promise<string> {
    const login = this.#endpoint.login;
    if (login.kind === 'bearer') return `Bearer ${await login.token()}`;
    return `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;
  }

  /** Releases the connection pool. */
  close(): Promise<void> {
    this.#agent.destroy();
    this.#tlsAgent.destroy();
    return Promise.resolve();
  }
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

function transportError(error: unknown, url: URL): TrancheError {
  const code = (error as { code?: string }).code ?? '';
  const host = url.host;
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code))
    return new TrancheError('tls', `${host}: TLS failed (${code})`, { cause: error });
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return new TrancheError('unreachable', `${host} did not answer (${code})`, { cause: error });
  }
  return new TrancheError(
    'connection-lost',
    `${host}: ${code || (error instanceof Error ? error.message : 'request failed')}`,
    {
      cause: error,
    },
  );
}

/** The server's words from an error reply: a DAV precondition element, a response description, or the status line. */
export function serverWords(reply: DavReply): string {
  const text = reply.body.toString('utf8', 0, Math.min(reply.body.length, 4000));
  const description = /<(?:\w+:)?responsedescription>([^<]{1,200})</.exec(text)?.[1];
  const condition = /<(?:\w+:)?error[^>]*>\s*<(?:\w+:)?([\w-]+)/.exec(text)?.[1];
  const plain = reply.headers.get('content-type')?.startsWith('text/plain') ? text.trim().slice(0, 200) : '';
  const words = [condition, description, plain].filter((w): w is string => !!w);
  return `${reply.status}${words.length ? ` ${[...new Set(words)].join(': ')}` : ''}`;
}
