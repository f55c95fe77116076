import { TrancheError } from '../../../errors/tranche-error.js';
import type { AppendBatch, NewMessage, PendingAppend } from '../../mail-store.js';
import { bodyLength } from '../../message-body.js';
import type { CommandPart } from './command.js';
import {
  completionError,
  type Completion,
  type StreamedCommand,
  type WireConnection,
} from './wire-connection.js';

/** Messages per MULTIAPPEND command. */
const COMMAND_MESSAGES = 100;
/** Bytes per MULTIAPPEND command; a larger message goes in an APPEND of its own. */
const COMMAND_BYTES = 8 * 1024 * 1024;
/** Bytes of written but unanswered commands kept for a retry before appends wait for answers. */
const HELD_BYTES = 24 * 1024 * 1024;

/** One message of a MULTIAPPEND command, kept until the command is answered. */
interface Entry {
  message: NewMessage;
  size: number;
  resolve: (uid: number | undefined) => void;
  reject: (error: unknown) => void;
}

/** One MULTIAPPEND command: its messages, in order. */
interface Group {
  command: StreamedCommand;
  entries: Entry[];
  bytes: number;
  /** Settles once the reply came and each message is answered or re-sent on its own. */
  answered: Promise<void> | undefined;
}

/** The APPENDUID code's UIDs in order ("[APPENDUID 38505 3955:3957,3960]"), or undefined. */
export function appendUids(text: string): number[] | undefined {
  const m = /\[APPENDUID \d+ ([\d:,]+)\]/i.exec(text);
  if (!m) return undefined;
  const out: number[] = [];
  for (const range of m[1]!.split(',')) {
    const [a, b] = range.split(':').map(Number);
    if (b === undefined) out.push(a!);
    else for (let uid = Math.min(a!, b); uid <= Math.max(a!, b); uid++) out.push(uid);
  }
  return out;
}

/** The parts of an APPEND for one message after the command name and folder. */
export function appendArguments(flags: string, date: string, message: NewMessage): CommandPart[] {
  return [` ${flags} ${date} `, { literal: message.body }];
}

/**
 * Appends into one folder as MULTIAPPEND commands of up to 100 messages or 8 MB, each written as the
 * messages arrive. One command is one mailbox transaction for the server (an APPEND into a large
 * Dovecot folder costs ~40 ms whatever its size) and, without LITERAL+, its '+' continuations follow
 * the client's own data, so none waits on a delayed ACK. The server appends all of a command or
 * none: a refused command is re-sent one message per APPEND, so only the message at fault fails.
 */
export class MultiAppend implements AppendBatch {
  readonly #connection: WireConnection;
  readonly #head: CommandPart[];
  readonly #describe: (message: NewMessage) => { flags: string; date: string };
  readonly #appendOne: (message: NewMessage) => Promise<PendingAppend>;
  readonly #path: string;
  #current: Group | undefined;
  readonly #unanswered: Group[] = [];

  constructor(
    connection: WireConnection,
    path: string,
    head: CommandPart[],
    describe: (message: NewMessage) => { flags: string; date: string },
    appendOne: (message: NewMessage) => Promise<PendingAppend>,
  ) {
    this.#connection = connection;
    this.#path = path;
    this.#head = head;
    this.#describe = describe;
    this.#appendOne = appendOne;
  }

  async append(message: NewMessage): Promise<PendingAppend> {
    const size = bodyLength(message.body);
    if (size > COMMAND_BYTES) {
      await this.end();
      return this.#appendOne(message);
    }
    const current = this.#current;
    if (current && (current.entries.length >= COMMAND_MESSAGES || current.bytes + size > COMMAND_BYTES)) {
      await this.end();
    }
    // Bodies stay referenced until their command is answered (for a retry): bound those bytes. The
    // open command is ended first, or a retry queued behind it could never be written.
    if (this.#unanswered.length > 0 && this.#heldBytes() + size > HELD_BYTES) {
      await this.end();
      while (this.#unanswered.length > 0 && this.#heldBytes() + size > HELD_BYTES) {
        await this.#unanswered[0]!.answered;
      }
    }
    let entry: Entry | undefined;
    const uid = new Promise<number | undefined>((resolve, reject) => {
      entry = { message, size, resolve, reject };
    });
    uid.catch(() => undefined); // the caller handles it; never an unhandled rejection
    const { flags, date } = this.#describe(message);
    const parts = appendArguments(flags, date, message);
    if (this.#current) {
      const group = this.#current;
      group.entries.push(entry!);
      group.bytes += size;
      await group.command.add(parts);
    } else {
      const command = this.#connection.begin([...this.#head, ...parts]);
      this.#current = { command, entries: [entry!], bytes: size, answered: undefined };
      // The first message is written by begin(); wait for it like add() would.
      await command.add([]);
    }
    return { uid };
  }

  /** Ends the open command; its answer reaches each message's uid promise. */
  async end(): Promise<void> {
    const group = this.#current;
    if (!group) return;
    this.#current = undefined;
    this.#unanswered.push(group);
    group.answered = group.command.done
      .then(
        (completion) => this.#answer(group, completion),
        (error: unknown) => {
          for (const entry of group.entries) entry.reject(error);
        },
      )
      .finally(() => this.#unanswered.splice(this.#unanswered.indexOf(group), 1));
    await group.command.end();
  }

  #heldBytes(): number {
    return this.#unanswered.reduce((n, g) => n + g.bytes, 0) + (this.#current?.bytes ?? 0);
  }

  async #answer(group: Group, completion: Completion): Promise<void> {
    if (completion.status === 'OK') {
      const uids = appendUids(completion.text);
      const known = uids?.length === group.entries.length;
      group.entries.forEach((entry, i) => entry.resolve(known ? uids[i] : undefined));
      return;
    }
    if (group.entries.length === 1) {
      const error = completionError([], completion);
      group.entries[0]!.reject(
        new TrancheError(error.type, `APPEND to ${this.#path}: ${error.message}`, {
          cause: error,
          retryable: error.retryable,
          retryAfterMs: error.retryAfterMs,
        }),
      );
      return;
    }
    // Nothing of the command was appended: each message again on its own, so only the bad one fails.
    for (const entry of group.entries) {
      try {
        const pending = await this.#appendOne(entry.message);
        pending.uid.then(entry.resolve, entry.reject);
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
