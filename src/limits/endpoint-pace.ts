import type { Kysely, Selectable } from 'kysely';
import type { Database, EndpointTable } from '../state/schema.js';
import { ByteBudget } from './byte-budget.js';
import type { Clock } from './clock.js';

/** Each endpoint's bytes-per-hour budget, as this process draws on it (shared through the store). */
export class EndpointPace {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #budgets = new Map<string, ByteBudget>();

  constructor(db: Kysely<Database>, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  /**
   * Follows the endpoint rows as last read: a budget set, changed or lifted since applies from now on,
   * to the takes already waiting too.
   */
  update(endpoints: Selectable<EndpointTable>[]): void {
    for (const e of endpoints) {
      const perHour = e.bytes_per_hour === null ? 0 : Number(e.bytes_per_hour);
      const budget = this.#budgets.get(e.name);
      if (budget) budget.setRate(perHour);
      else if (perHour > 0) this.#budgets.set(e.name, new ByteBudget(this.#db, e.name, perHour, this.#clock));
    }
  }

  /** Waits for the byte budgets of both endpoints of a copy (each that has one). */
  async take(endpoints: string[], bytes: number, signal?: AbortSignal): Promise<void> {
    for (const name of endpoints) await this.#budgets.get(name)?.take(bytes, signal);
  }
}
