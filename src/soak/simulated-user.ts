import type { ImapEndpoint } from '../mailstore/imap/endpoint.js';
import { openAndLogin } from '../mailstore/imap/wire/login.js';
import { parseListResponse } from '../mailstore/imap/wire/parse.js';
import type { Completion, WireConnection } from '../mailstore/imap/wire/wire-connection.js';
import { CommandTimer } from './command-timer.js';
import type { ActionKind, SoakProfile } from './profile.js';
import { removeAppended, type CleanupResult } from './soak-cleanup.js';
import type { SoakRecorder } from './soak-recorder.js';
import { USER_ACTIONS, type UserConnection, type UserMail } from './user-actions.js';

/** How many of the inbox's latest messages a user reads, flags and fetches from. */
const KNOWN_MESSAGES = 200;

interface Slot extends UserConnection {
  /** The actions queued on this connection, run one after another. */
  queue: Promise<void>;
  queued: number;
  alive: boolean;
}

/** What the run gives every user. */
export interface UserSetup {
  login: ImapEndpoint;
  profile: SoakProfile;
  recorder: SoakRecorder;
  /** Milliseconds since the run started. */
  now: () => number;
  runId: string;
  random: () => number;
  /** Hold a connection in IDLE for the run. */
  idle: boolean;
}

/**
 * One simulated user: its connections (the profile's, plus one in IDLE for some), what it knows of
 * its mail, and its actions. Actions given to a busy user wait in its connection's queue; their
 * latency still counts from when they were due.
 */
export class SimulatedUser {
  readonly #setup: UserSetup;
  readonly #slots: Slot[] = [];
  readonly #visits = new Set<WireConnection>();
  #mail: UserMail | undefined;
  #closed = false;
  #idle: { wire: WireConnection; stop: () => void; done: Promise<Completion> } | undefined;

  constructor(setup: UserSetup) {
    this.#setup = setup;
  }

  async #open(): Promise<WireConnection> {
    const wire = await openAndLogin(this.#setup.login);
    this.#setup.recorder.connection(this.#setup.now(), 1);
    return wire;
  }

  async #close(wire: WireConnection): Promise<void> {
    await wire.close();
    this.#setup.recorder.connection(this.#setup.now(), -1);
  }

  /** Logs in its connections, learns its folders and latest inbox messages, and starts its IDLE. */
  async connect(): Promise<void> {
    for (let i = 0; i < this.#setup.profile.connectionsPerUser; i++) {
      this.#slots.push({
        wire: await this.#open(),
        selected: undefined,
        queue: Promise.resolve(),
        queued: 0,
        alive: true,
      });
    }
    const wire = this.#slots[0]!.wire;
    const listed = await wire.run(['LIST "" "*"']);
    const folders = listed.untagged.map((r) => parseListResponse(r, '', true)).filter((f) => f !== undefined);
    const selected = await wire.run(['SELECT INBOX']);
    this.#slots[0]!.selected = 'INBOX';
    const exists = Number(
      /^\* (\d+) EXISTS/i.exec(
        selected.untagged.map((r) => r.lines[0] ?? '').find((l) => / EXISTS/i.test(l)) ?? '',
      )?.[1] ?? 0,
    );
    const known = new Map<number, boolean>();
    if (exists > 0) {
      const fetched = await wire.run([`FETCH ${Math.max(1, exists - KNOWN_MESSAGES + 1)}:* (UID FLAGS)`]);
      for (const r of fetched.untagged) {
        const line = r.lines.join('');
        const uid = /UID (\d+)/i.exec(line)?.[1];
        if (uid) known.set(Number(uid), /\\Flagged/i.test(line));
      }
    }
    let sequence = 0;
    this.#mail = {
      user: this.#setup.login.user,
      runId: this.#setup.runId,
      sent: folders.find((f) => f.specialUse === '\\Sent')?.path,
      known,
      appended: [],
      messageBytes: this.#setup.profile.messageBytes,
      nextSequence: () => ++sequence,
      uidplus: wire.capabilities.has('UIDPLUS'),
    };
    if (this.#setup.idle && wire.capabilities.has('IDLE')) {
      const idleWire = await this.#open();
      await idleWire.run(['SELECT INBOX']);
      let stop: () => void = () => undefined;
      const doneText = new Promise<string>((resolve) => (stop = () => resolve('DONE')));
      const { done } = idleWire.sendWithContinuations('IDLE', [doneText]);
      done.catch(() => undefined);
      this.#idle = { wire: idleWire, stop, done };
    }
  }

  /** Queues ACTION, due at DUE_MS, on the least busy connection. */
  perform(action: ActionKind, dueMs: number): Promise<void> {
    const slot = this.#slots.reduce((a, b) => (b.queued < a.queued ? b : a));
    slot.queued++;
    const run = slot.queue.then(() => this.#carryOut(slot, action, dueMs));
    slot.queue = run.finally(() => slot.queued--);
    return slot.queue;
  }

  async #carryOut(slot: Slot, action: ActionKind, dueMs: number): Promise<void> {
    // Actions still queued when the run closed its connections are not carried out (nor reconnected for).
    if (this.#closed) return;
    const timer = new CommandTimer(this.#setup.recorder, this.#setup.now, dueMs);
    try {
      if (!slot.alive) {
        // The connection was lost: this action's user logs in again first, and that login is timed.
        slot.wire = await timer.time('login', () => this.#open());
        slot.alive = true;
        slot.selected = undefined;
      }
      await USER_ACTIONS[action]({
        connection: slot,
        mail: this.#mail!,
        timer,
        random: this.#setup.random,
        visit: () => this.#visit(timer),
      });
    } catch (error) {
      // Recorded against its command already; a lost connection is opened again by the next action.
      if (
        (error as { type?: string }).type === 'connection-lost' ||
        (error as { type?: string }).type === 'unreachable'
      ) {
        if (slot.alive) this.#setup.recorder.connection(this.#setup.now(), -1);
        slot.alive = false;
      }
    }
  }

  async #visit(timer: CommandTimer): Promise<void> {
    const wire = await timer.time('login', () => this.#open());
    this.#visits.add(wire);
    try {
      await timer.run('select', wire, ['SELECT INBOX']);
    } finally {
      this.#visits.delete(wire);
      await this.#close(wire);
    }
  }

  /** Waits for the actions queued (for at most GRACE_MS), then cuts every connection still busy. */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.allSettled(this.#slots.map((s) => s.queue));
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  /** Removes what the run appended (unless KEEP), ends the IDLE, logs every connection out. */
  async finish(keep: boolean): Promise<CleanupResult> {
    let result: CleanupResult = { removed: 0, left: 0, problems: [] };
    const first = this.#slots.find((s) => s.alive);
    try {
      if (!keep && this.#mail) {
        const wire = first ? first.wire : await this.#open();
        try {
          result = await removeAppended(wire, this.#mail);
        } finally {
          if (!first) await this.#close(wire);
        }
      }
    } finally {
      await this.close();
    }
    return result;
  }

  /** Closes every connection now: the IDLE, the action connections and any visit under way. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    if (this.#idle) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle.stop();
      closing.push(
        Promise.race([idle.done, new Promise((resolve) => setTimeout(resolve, 2000))]).then(
          () => this.#close(idle.wire),
          () => this.#close(idle.wire),
        ),
      );
    }
    for (const slot of this.#slots.splice(0)) if (slot.alive) closing.push(this.#close(slot.wire));
    for (const wire of this.#visits) closing.push(wire.close());
    this.#visits.clear();
    await Promise.allSettled(closing);
  }
}
