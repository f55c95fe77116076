import { toTrancheError, type TrancheError } from '../errors/tranche-error.js';
import type { MailStore, MessageMeta } from '../mailstore/mail-store.js';

/** One connection to each side, as a worker of syncMailbox holds them. */
export interface Lane {
  source: MailStore;
  target: MailStore;
}

/**
 * What copying one batch leaves to do: the check of what the target stored of it (a FETCH, and
 * STOREs for flags the target dropped) on the lane's target connection, unless it was made already.
 */
export interface CopiedBatch {
  check: (() => Promise<void>) | undefined;
}

/**
 * A folder's copy that idle connections may join: its APPEND batches (runs of source UIDs), taken one
 * at a time by whichever lane is free. The folder's own lane takes part too, then waits for the
 * others; exactly once holds through the shared PendingLedger of the folder's checkpoint.
 *
 * A lane copies its next batch while the check of its last one is answered (one round trip to the
 * target less per batch), and ends that check before it starts the next: one check at a time per
 * connection (untagged FETCH responses are told apart only by the order of the commands in flight),
 * a failed check stops the lane as a failed batch does (the batch copied meanwhile is still
 * checked), and no check outlives the lane's part in this folder (its STOREs must reach this folder,
 * not one the connection selects next).
 */
export class SharedCopy {
  readonly sourcePath: string;
  readonly #batches: MessageMeta[][];
  readonly #copy: (lane: Lane, batch: MessageMeta[]) => Promise<CopiedBatch>;
  readonly #prepare: (lane: Lane) => Promise<void>;
  #next = 0;
  #running = 0;
  #failure: { error: TrancheError } | undefined;
  #idle: (() => void)[] = [];

  constructor(
    sourcePath: string,
    batches: MessageMeta[][],
    prepare: (lane: Lane) => Promise<void>,
    copy: (lane: Lane, batch: MessageMeta[]) => Promise<CopiedBatch>,
  ) {
    this.sourcePath = sourcePath;
    this.#batches = batches;
    this.#prepare = prepare;
    this.#copy = copy;
  }

  /** Whether batches are left to take (and nothing has failed). */
  get open(): boolean {
    return this.#failure === undefined && this.#next < this.#batches.length;
  }

  /**
   * Copies batches on this lane until none are left; a `helper` lane first opens the folder. A
   * failure stops the other lanes taking more; it is returned here and thrown by finished().
   */
  async join(lane: Lane, helper: boolean): Promise<TrancheError | undefined> {
    this.#running++;
    // The check of the lane's last batch, answered while the lane copies the next one.
    let checking: Promise<void> | undefined;
    try {
      if (helper) await this.#prepare(lane);
      while (this.open) {
        const batch = this.#batches[this.#next++]!;
        const { check } = await this.#copy(lane, batch);
        const previous = checking;
        try {
          await previous;
        } finally {
          // Made even when the last check failed: this batch is in the target and the map already.
          checking = check?.();
          checking?.catch(() => undefined); // awaited in the loop, after it, or in the catch
        }
      }
      await checking;
      return undefined;
    } catch (error) {
      await checking?.catch(() => undefined);
      const typed = toTrancheError(error);
      this.#failure ??= { error: typed };
      return typed;
    } finally {
      this.#running--;
      if (this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }

  /** Waits until every lane has stopped; throws the first lane's error. */
  async finished(): Promise<void> {
    if (this.#running > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    if (this.#failure) throw this.#failure.error;
  }
}

/** Where idle lanes of one mailbox sync find a folder copy to join, and learn when none can come. */
export class SplitBoard {
  readonly #posted: SharedCopy[] = [];
  #activeFolders = 0;
  #waiters: (() => void)[] = [];
  /** Called at each post: the mailbox sync opens more connections then, up to its limit. */
  onPost: (() => void) | undefined;

  /** A folder pass starts (it may post a copy to join). */
  folderStarted(): void {
    this.#activeFolders++;
  }

  /** A folder pass ended. */
  folderEnded(): void {
    this.#activeFolders--;
    this.#wake();
  }

  /** Offers a folder's copy to idle lanes. */
  post(copy: SharedCopy): void {
    this.#posted.push(copy);
    this.onPost?.();
    this.#wake();
  }

  /** Withdraws a copy (all its batches are taken or it failed). */
  withdraw(copy: SharedCopy): void {
    const at = this.#posted.indexOf(copy);
    if (at >= 0) this.#posted.splice(at, 1);
  }

  /** A copy with batches left, if any. */
  take(): SharedCopy | undefined {
    return this.#posted.find((c) => c.open);
  }

  /** True while a running folder pass could still post work. */
  get busy(): boolean {
    return this.#activeFolders > 0;
  }

  /** Resolves at the next post or folder end. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
