import type { TrancheError } from '../errors/tranche-error.js';

/** Failed reads of one message before it is taken as unreadable (the second on its own, on a fresh connection). */
export const READS_PER_MESSAGE = 2;

/**
 * The messages of one folder that failed to be read, over the attempts of one pass. A read that
 * fails (the server closes the session, or answers NO/BAD) is blamed on the first message of the
 * FETCH not yet received; that message is then read on its own, and when that fails too it is
 * unreadable: skipped, and the rest of the folder read around it. A message found unreadable by an
 * earlier pass is read on its own at once and given one try (it may have been repaired).
 */
export class UnreadableMessages {
  readonly #failures = new Map<number, number>();
  readonly #unreadable = new Map<number, string>();
  readonly #earlier: ReadonlySet<number>;
  /** Failures blamed on a message so far: a retry they cause is not a connection's failure. */
  blamed = 0;

  constructor(earlier: Iterable<number> = []) {
    this.#earlier = new Set(earlier);
  }

  /** Whether the message is read on its own (suspected, or unreadable in an earlier pass). */
  alone(uid: number): boolean {
    return this.#failures.has(uid) || this.#earlier.has(uid);
  }

  /** Whether the message is given up on in this pass. */
  skipped(uid: number): boolean {
    return this.#unreadable.has(uid);
  }

  /** A read failed, blamed on UID: true when it is now taken as unreadable. */
  failed(uid: number, error: TrancheError): boolean {
    this.blamed++;
    const failures = (this.#failures.get(uid) ?? 0) + 1;
    this.#failures.set(uid, failures);
    if (failures < (this.#earlier.has(uid) ? 1 : READS_PER_MESSAGE)) return false;
    this.#unreadable.set(uid, error.message);
    return true;
  }

  /** The unreadable messages of this pass, with the server's words of their last failure. */
  entries(): [number, string][] {
    return [...this.#unreadable];
  }
}
