import { connect as netConnect, type Socket } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { TrancheError } from '../../../errors/tranche-error.js';
import { classifyImapError } from '../classify-error.js';
import type { ImapEndpoint } from '../endpoint.js';
import type { CommandPart } from './command.js';
import { ResponseReader, type RawResponse } from './response-reader.js';

/** A tagged completion and the untagged responses that came while it ran. */
export interface Completion {
  status: 'OK' | 'NO' | 'BAD';
  /** The text after the status, response code included ("[APPENDUID 38505 3955] APPEND completed"). */
  text: string;
  untagged: RawResponse[];
}

interface InFlight {
  tag: string;
  untagged: RawResponse[];
  onUntagged: ((response: RawResponse) => void) | undefined;
  resolve: (completion: Completion) => void;
  reject: (error: Error) => void;
}

const CONNECT_TIMEOUT_MS = 20_000;
const IDLE_TIMEOUT_MS = 300_000;
/** Bytes written but not yet taken by the socket before writers wait: the in-flight write window. */
const WRITE_WINDOW_BYTES = 8 * 1024 * 1024;
/** The largest non-synchronising literal LITERAL- allows (RFC 7888). */
const LITERAL_MINUS_MAX = 4096;

/**
 * node:tls, loaded when a connection is first encrypted: loading it costs ~5 MB of RSS (OpenSSL's
 * TLS side), which a process on plaintext loopback (the benchmarks, a test bench) need not carry.
 */
async function tlsConnector(): Promise<(options: ConnectionOptions) => TLSSocket> {
  const { connect } = await import('node:tls');
  return (options) => connect(options);
}

/** A command written in pieces over time; see WireConnection.begin. */
export interface StreamedCommand {
  /** Settles on the command's tagged reply. */
  done: Promise<Completion>;
  /** Writes more of the command; resolves once written (false when the server has already answered it). */
  add(parts: CommandPart[]): Promise<boolean>;
  /** Ends the command line (CRLF) and lets other commands be written; resolves once written. */
  end(): Promise<void>;
}

/**
 * One IMAP connection that keeps many commands in flight. Commands are written in order, literals
 * inline with LITERAL+ (or after the server's '+' without it); each resolves on its tagged reply.
 * Untagged responses go to the oldest command in flight: servers answer pipelined commands in order.
 */
export class WireConnection {
  capabilities = new Set<string>();
  readonly #endpoint: ImapEndpoint;
  #socket: Socket | TLSSocket;
  readonly #reader = new ResponseReader();
  readonly #inFlight: InFlight[] = [];
  readonly #continuations: { tag: string; resolve: (text: string) => void }[] = [];
  #greeting: ((response: RawResponse) => void) | undefined;
  #writeChain: Promise<void> = Promise.resolve();
  #nextTag = 1;
  #closed: TrancheError | undefined;
  #encrypted: boolean;
  /** The socket corked until the end of this tick, if any (see #write). */
  #corked: Socket | TLSSocket | undefined;

  private constructor(endpoint: ImapEndpoint, socket: Socket | TLSSocket, encrypted: boolean) {
    this.#endpoint = endpoint;
    this.#socket = socket;
    this.#encrypted = encrypted;
    this.#attach(socket);
  }

  /** Whether the connection is encrypted. */
  get encrypted(): boolean {
    return this.#encrypted;
  }

  /** Opens the TCP (or TLS) connection and waits for the greeting; no login yet. */
  static async open(endpoint: ImapEndpoint): Promise<WireConnection> {
    const implicit = endpoint.tls === 'implicit';
    const tlsConnect = implicit ? await tlsConnector() : undefined;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const options = { host: endpoint.host, port: endpoint.port };
      const s: Socket = tlsConnect
        ? tlsConnect({
            ...options,
            servername: servername(endpoint.host),
            rejectUnauthorized: !endpoint.insecure,
          })
        : netConnect(options);
      const timer = setTimeout(
        () => s.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
        CONNECT_TIMEOUT_MS,
      );
      s.once(implicit ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeListener('error', fail);
        resolve(s);
      });
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(classifyImapError(error, 'connect'));
      };
      s.once('error', fail);
    });
    const connection = new WireConnection(endpoint, socket, implicit);
    const greeting = await connection.#waitGreeting();
    const line = greeting.lines[0] ?? '';
    if (/^\* BYE/i.test(line)) throw new TrancheError('unreachable', `server said goodbye: ${line.slice(6)}`);
    const caps = /\[CAPABILITY ([^\]]*)\]/i.exec(line);
    if (caps) connection.#setCapabilities(caps[1]!);
    else await connection.refreshCapabilities();
    return connection;
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () =>
      socket.destroy(Object.assign(new Error('idle timeout'), { code: 'ETIMEDOUT' })),
    );
    socket.on('data', (chunk: Buffer) => {
      for (const response of this.#reader.push(chunk)) this.#dispatch(response);
    });
    socket.on('error', (error: Error) => this.#fail(classifyImapError(error, 'command')));
    socket.on('close', () =>
      this.#fail(new TrancheError('connection-lost', 'connection closed by the server')),
    );
  }

  #waitGreeting(): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.#greeting = resolve;
      this.#inFlight.push({ tag: '', untagged: [], onUntagged: undefined, resolve: () => undefined, reject });
    });
  }

  #dispatch(response: RawResponse): void {
    const first = response.lines[0] ?? '';
    if (this.#greeting) {
      const done = this.#greeting;
      this.#greeting = undefined;
      this.#inFlight.shift();
      done(response);
      return;
    }
    if (first.startsWith('+')) {
      this.#continuations.shift()?.resolve(first.slice(2));
      return;
    }
    if (first.startsWith('* ')) {
      if (/^\* BYE /i.test(first)) {
        // Shutting down, idle timeout, too many connections: the connection is gone, retry it
        // (throttling keeps its own type and hint).
        const words = first.slice(6);
        const typed = classifyImapError({ message: words, responseText: words }, 'command');
        this.#fail(
          typed.type === 'throttled'
            ? typed
            : new TrancheError('connection-lost', `server closed the connection: ${words}`, {
                retryable: true,
              }),
        );
        return;
      }
      const current = this.#inFlight[0];
      if (current?.onUntagged) current.onUntagged(response);
      else current?.untagged.push(response);
      return;
    }
    const space = first.indexOf(' ');
    const tag = first.slice(0, space);
    const index = this.#inFlight.findIndex((c) => c.tag === tag);
    if (index < 0) return;
    const [command] = this.#inFlight.splice(index, 1);
    // A command refused while it waited for '+' gets none: let its writer go on.
    for (const waiter of this.#continuations.filter((w) => w.tag === tag)) {
      this.#continuations.splice(this.#continuations.indexOf(waiter), 1);
      waiter.resolve('');
    }
    const rest = first.slice(space + 1);
    const status = rest.slice(0, rest.indexOf(' ') < 0 ? undefined : rest.indexOf(' ')).toUpperCase();
    command!.resolve({
      status: status === 'OK' ? 'OK' : status === 'NO' ? 'NO' : 'BAD',
      text: rest.slice(status.length + 1),
      untagged: command!.untagged,
    });
  }

  /** Fails one command still waiting for its answer. */
  #reject(tag: string, error: unknown): void {
    const index = this.#inFlight.findIndex((c) => c.tag === tag);
    if (index < 0) return;
    const [command] = this.#inFlight.splice(index, 1);
    command!.reject(error instanceof Error ? error : new TrancheError('connection-lost', String(error)));
  }

  #fail(error: TrancheError): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const command of this.#inFlight.splice(0)) command.reject(error);
    for (const waiter of this.#continuations.splice(0)) waiter.resolve('');
    this.#socket.destroy();
  }

  #setCapabilities(list: string): void {
    this.capabilities = new Set(list.toUpperCase().split(/\s+/).filter(Boolean));
  }

  /** Asks the server for its capabilities again (after STARTTLS or login). */
  async refreshCapabilities(): Promise<void> {
    const done = await this.run(['CAPABILITY']);
    const line = done.untagged.map((r) => r.lines[0] ?? '').find((l) => /^\* CAPABILITY /i.test(l));
    if (line) this.#setCapabilities(line.slice('* CAPABILITY '.length));
  }

  /**
   * Writes pieces, gathered with everything else written in this tick into one system call (the
   * socket is corked until the tick ends: a source chunk holding 25 small messages makes one
   * writev, not 25), then waits only if the write window is full.
   */
  #write(...pieces: (string | Buffer)[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    const socket = this.#socket;
    if (socket !== this.#corked) {
      this.#corked = socket;
      socket.cork();
      process.nextTick(() => {
        if (this.#corked === socket) this.#corked = undefined;
        socket.uncork();
      });
    }
    for (const piece of pieces) socket.write(piece);
    if (socket.writableLength < WRITE_WINDOW_BYTES) return Promise.resolve();
    // Wait for the socket to take the bytes, or for the connection to die: never forever.
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        socket.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        socket.off('drain', onDrain);
        reject(this.#closed ?? new TrancheError('connection-lost', 'connection closed while writing'));
      };
      socket.once('drain', onDrain);
      socket.once('close', onClose);
    });
  }

  #continuation(tag: string): Promise<string> {
    return new Promise((resolve) => this.#continuations.push({ tag, resolve }));
  }

  /**
   * Sends a command and returns at once a promise of its completion; the returned `written` promise
   * resolves when the command has gone into the socket within the write window (for backpressure).
   */
  send(
    parts: CommandPart[],
    onUntagged?: (response: RawResponse) => void,
  ): { written: Promise<void>; done: Promise<Completion> } {
    const command = this.begin(parts, onUntagged);
    return { written: command.end(), done: command.done };
  }

  /**
   * Starts a command whose parts are given over time (MULTIAPPEND: one message after another as they
   * are read from the source). Nothing else is written on the connection until end(), which the
   * caller must always reach. Literals go non-synchronising where the server allows (LITERAL+, or
   * LITERAL- up to 4096 bytes), else each waits for the server's '+'.
   */
  begin(parts: CommandPart[], onUntagged?: (response: RawResponse) => void): StreamedCommand {
    if (this.#closed) {
      const gone = refused(this.#closed);
      return { done: gone.done, add: () => gone.written.then(() => false), end: () => gone.written };
    }
    const tag = `T${this.#nextTag++}`;
    const done = new Promise<Completion>((resolve, reject) => {
      this.#inFlight.push({ tag, untagged: [], onUntagged, resolve, reject });
    });
    let finished = false;
    done.then(
      () => (finished = true),
      () => (finished = true),
    );
    let line = `${tag} `;
    // Writes the parts; a literal the server must first accept waits for its '+'. Stops writing
    // once the command is answered (refused before its literal was asked for).
    const writeParts = async (more: CommandPart[]): Promise<void> => {
      let pieces: (string | Buffer)[] = [];
      for (const part of more) {
        if (finished) return;
        if (typeof part === 'string') {
          line += part;
          continue;
        }
        const length = part.literal.reduce((n, chunk) => n + chunk.length, 0);
        const nonSynchronising = this.#nonSynchronising(length);
        pieces.push(`${line}{${length}${nonSynchronising ? '+' : ''}}\r\n`);
        line = '';
        if (!nonSynchronising) {
          await this.#write(...pieces);
          pieces = [];
          await this.#continuation(tag);
          if (finished) return;
        }
        pieces.push(...part.literal);
      }
      if (pieces.length > 0) await this.#write(...pieces);
    };
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let local = this.#writeChain.then(() => writeParts(parts));
    // Every later command waits for this one's end; a failed write fails this command only.
    this.#writeChain = released;
    let ended: Promise<void> | undefined;
    return {
      done,
      add: (more) => {
        if (ended) return Promise.reject(new TrancheError('internal', 'command already ended'));
        local = local.then(() => writeParts(more));
        return local.then(() => !finished);
      },
      end: () => {
        if (ended) return ended;
        ended = local.then(async () => {
          if (!finished) await this.#write(`${line}\r\n`);
        });
        ended.then(release, (error: unknown) => {
          this.#reject(tag, error);
          release();
        });
        return ended;
      },
    };
  }

  /** Whether a literal of this length may be sent without waiting for '+' (RFC 7888). */
  #nonSynchronising(length: number): boolean {
    if (this.capabilities.has('LITERAL+')) return true;
    return this.capabilities.has('LITERAL-') && length <= LITERAL_MINUS_MAX;
  }

  /**
   * Sends a command whose steps each answer a '+' continuation (SASL; IDLE, whose DONE is a step
   * given as a promise that settles when the idle should end); never pipelined with others.
   * `onChallenge` hears what each '+' carried (a failed OAuth2 login's JSON status comes that way).
   */
  sendWithContinuations(
    command: string,
    steps: (string | PromiseLike<string>)[],
    onChallenge?: (text: string) => void,
  ): { done: Promise<Completion> } {
    if (this.#closed) return refused(this.#closed);
    const tag = `T${this.#nextTag++}`;
    const done = new Promise<Completion>((resolve, reject) => {
      this.#inFlight.push({ tag, untagged: [], onUntagged: undefined, resolve, reject });
    });
    let finished = false;
    done.then(
      () => (finished = true),
      () => (finished = true),
    );
    this.#writeChain = this.#writeChain
      .then(async () => {
        await this.#write(`${tag} ${command}\r\n`);
        for (const step of steps) {
          const challenge = await this.#continuation(tag);
          if (finished) return;
          onChallenge?.(challenge);
          const text = await step;
          await this.#write(`${text}\r\n`);
        }
      })
      .catch((error: unknown) => this.#reject(tag, error));
    return { done };
  }

  /** Sends a command and waits for its completion; NO and BAD become typed errors. */
  async run(parts: CommandPart[], onUntagged?: (response: RawResponse) => void): Promise<Completion> {
    const { done } = this.send(parts, onUntagged);
    const completion = await done;
    if (completion.status !== 'OK') throw completionError(parts, completion);
    return completion;
  }

  /** Upgrades a plain connection with STARTTLS. */
  async startTls(): Promise<void> {
    const tlsConnect = await tlsConnector();
    await this.run(['STARTTLS']);
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.setTimeout(0);
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({
        socket: plain,
        servername: servername(this.#endpoint.host),
        rejectUnauthorized: !this.#endpoint.insecure,
      });
      s.once('secureConnect', () => {
        s.removeListener('error', fail);
        resolve(s);
      });
      const fail = (error: Error): void => reject(classifyImapError(error, 'connect'));
      s.once('error', fail);
    });
    this.#socket = secure;
    this.#encrypted = true;
    this.#attach(secure);
    await this.refreshCapabilities();
  }

  /** Stops reading from the server (TCP backpressure) until resume(). */
  pause(): void {
    this.#socket.pause();
  }

  /** Reads from the server again. */
  resume(): void {
    this.#socket.resume();
  }

  /** Logs out politely, then closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      const { done } = this.send(['LOGOUT']);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]).finally(() =>
        clearTimeout(timer),
      );
    } catch {
      // Closing anyway.
    }
    this.#fail(new TrancheError('connection-lost', 'connection closed'));
  }
}

/** A command on a connection already closed: refused at once, never left waiting. */
function refused(error: TrancheError): { written: Promise<void>; done: Promise<never> } {
  const rejected = Promise.reject(error);
  rejected.catch(() => undefined);
  return { written: rejected, done: rejected };
}

function servername(host: string): string | undefined {
  return /^[\d.]+$|:/.test(host) ? undefined : host;
}

/** A NO or BAD completion as a typed error, with the server's words and the command's name. */
export function completionError(_parts: CommandPart[], completion: Completion): TrancheError {
  const code = /^\[([A-Z-]+)/.exec(completion.text)?.[1];
  const words = completion.text.replace(/^\[[^\]]*\]\s*/, '');
  return classifyImapError(
    { message: words, responseText: words, serverResponseCode: code, responseStatus: completion.status },
    'command',
  );
}
