import { toTrancheError } from '../../errors/tranche-error.js';

/** Runs writes with a cap on how many are in flight, and saves the checkpoint every so many. */
export class WritePool {
  readonly #limit: number;
  readonly #saveEvery: number;
  readonly #save: () => Promise<void>;
  readonly #running = new Set<Promise<void>>();
  #done = 0;
  #failure: unknown;
  #saving: Promise<void> = Promise.resolve();

  constructor(limit: number, saveEvery: number, save: () => Promise<void>) {
    this.#limit = limit;
    this.#saveEvery = saveEvery;
    this.#save = save;
  }

  /** Starts a write, first waiting for room; rethrows the first failure of an earlier write. */
  async add(write: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    this.#throwIfFailed();
    const p: Promise<void> = write()
      .then(() => {
        if (++this.#done % this.#saveEvery === 0) this.#saving = this.#saving.then(this.#save);
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      })
      .finally(() => this.#running.delete(p));
    this.#running.add(p);
  }

  /** Waits for every write and pending save; rethrows the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.#running);
    await this.#saving;
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw toTrancheError(this.#failure);
  }
}
