import { hostname } from 'node:os';
import type { Kysely, Selectable } from 'kysely';
import type { Database, WorkerTable } from '../state/schema.js';

/** How a process shares the programme: `run` (embedded, claims for itself) or `worker` (job queue). */
export type WorkerMode = 'run' | 'worker';

/** A worker whose heartbeat is older than this many heartbeat periods is taken as gone. */
export const MISSED_HEARTBEATS = 3;
/** Rows of workers stopped longer ago than this are dropped when a worker starts. */
const KEEP_STOPPED_MS = 7 * 86_400_000;

/** The registry of the processes working on a programme: each beats while alive. */
export class WorkerRegistry {
  readonly #db: Kysely<Database>;
  readonly id: string;
  readonly #heartbeatMs: number;

  constructor(db: Kysely<Database>, id: string, heartbeatMs: number) {
    this.#db = db;
    this.id = id;
    this.#heartbeatMs = heartbeatMs;
  }

  /** Enters this process in the registry (and forgets workers stopped long ago). */
  async register(mode: WorkerMode, maxMailboxes: number): Promise<void> {
    const now = new Date().toISOString();
    await this.#db
      .deleteFrom('worker')
      .where('stopped_at', '<', new Date(Date.now() - KEEP_STOPPED_MS).toISOString())
      .execute();
    await this.#db
      .insertInto('worker')
      .values({
        id: this.id,
        host: hostname(),
        pid: process.pid,
        mode,
        max_mailboxes: maxMailboxes,
        started_at: now,
        heartbeat_at: now,
        heartbeat_ms: this.#heartbeatMs,
      })
      .execute();
  }

  /** The heartbeat: this worker is alive now. */
  async beat(): Promise<void> {
    await this.#db
      .updateTable('worker')
      .set({ heartbeat_at: new Date().toISOString() })
      .where('id', '=', this.id)
      .execute();
  }

  /**
   * Records whether this worker carries the scheduling duties. Taking them over clears any other
   * worker's mark: leadership is exclusive, so another mark is left by a leader that died.
   */
  async lead(leading: boolean): Promise<void> {
    if (leading)
      await this.#db.updateTable('worker').set({ leader_since: null }).where('id', '!=', this.id).execute();
    await this.#db
      .updateTable('worker')
      .set({ leader_since: leading ? new Date().toISOString() : null })
      .where('id', '=', this.id)
      .execute();
  }

  /** This worker stopped cleanly. */
  async stop(): Promise<void> {
    await this.#db
      .updateTable('worker')
      .set({ stopped_at: new Date().toISOString(), leader_since: null })
      .where('id', '=', this.id)
      .execute();
  }

  /** Mailboxes the live workers of MODE take at once between them (alive as isAlive() says). */
  async capacity(mode: WorkerMode): Promise<number> {
    const workers = await this.#db
      .selectFrom('worker')
      .selectAll()
      .where('mode', '=', mode)
      .where('stopped_at', 'is', null)
      .execute();
    const now = Date.now();
    return workers.filter((w) => isAlive(w, now)).reduce((sum, w) => sum + w.max_mailboxes, 0);
  }
}

/** The oldest heartbeat of a worker still taken as alive. */
function aliveSince(heartbeatMs: number, now = Date.now()): string {
  return new Date(now - MISSED_HEARTBEATS * heartbeatMs).toISOString();
}

/** Whether a registered worker is alive: not stopped, and its heartbeat fresh. */
export function isAlive(worker: Selectable<WorkerTable>, now = Date.now()): boolean {
  return worker.stopped_at === null && worker.heartbeat_at > aliveSince(worker.heartbeat_ms, now);
}

/** A worker as the status shows it. */
export type WorkerRow = Selectable<WorkerTable>;
