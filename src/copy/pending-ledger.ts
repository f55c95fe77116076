import type { CheckpointStore, FolderCheckpoint, PendingBatch, PendingMessage } from './checkpoint.js';

/**
 * The APPEND batches in flight into one folder, from one connection or several (a split folder):
 * the checkpoint's pending batch is their union, under the lowest floor, so a crash with any of them
 * under way is recovered by content. Saves run one at a time and each writes the state as it is
 * when its turn comes: an older snapshot can never land after a newer one (on PostgreSQL two saves
 * could otherwise commit out of order and hide a batch under way).
 */
export class PendingLedger {
  readonly #checkpoint: FolderCheckpoint;
  readonly #store: CheckpointStore;
  readonly #mailboxKey: string;
  readonly #open = new Map<number, PendingBatch>();
  #nextId = 1;
  #saving: Promise<void> = Promise.resolve();

  constructor(checkpoint: FolderCheckpoint, store: CheckpointStore, mailboxKey: string) {
    this.#checkpoint = checkpoint;
    this.#store = store;
    this.#mailboxKey = mailboxKey;
  }

  /** Records a batch as under way and waits until that is saved; returns its id for close(). */
  async open(targetUidFloor: number, messages: PendingMessage[]): Promise<number> {
    const id = this.#nextId++;
    this.#open.set(id, { targetUidFloor, messages });
    await this.save();
    return id;
  }

  /** The batch is answered and its UIDs are in the map: saved without it. */
  async close(id: number): Promise<void> {
    this.#open.delete(id);
    await this.save();
  }

  /** Saves the checkpoint as it stands when this save's turn comes. */
  save(): Promise<void> {
    const turn = this.#saving.then(() => {
      this.#checkpoint.pending = this.#union();
      return this.#store.save(this.#mailboxKey, this.#checkpoint);
    });
    this.#saving = turn.catch(() => undefined);
    return turn;
  }

  #union(): PendingBatch | undefined {
    const batches = [...this.#open.values()];
    if (batches.length === 0) return undefined;
    return {
      targetUidFloor: Math.min(...batches.map((b) => b.targetUidFloor)),
      messages: batches.flatMap((b) => b.messages),
    };
  }
}
