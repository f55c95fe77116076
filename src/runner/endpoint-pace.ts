import type { Kysely, Selectable } from 'kysely';
import type { Database, EndpointTable } from '../state/schema.js';
import { ByteBudget } from './byte-budget.js';
import type { Clock } from './clock.js';

/** Each endpoint's bytes-per-hour budget, as this process draws on it (shared through the store). */
export class EndpointPace {
  readonly #budgets = new Map<string, ByteBudget>();

  constructor(db: Kysely<Database>, endpoints: Selectable<EndpointTable>[], clock: Clock) {
    for (const e of endpoints) {
      const perHour = e.bytes_per_hour === null ? 0 : Number(e.bytes_per_hour);
      if (perHour > 0) this.#budgets.set(e.name, new ByteBudget(db, e.name, perHour, clock));
    }
  }

  /** Waits for the byte budgets of both endpoints of a copy (each that has one). */
  async take(endpoints: string[], bytes: number, signal?: AbortSignal): Promise<void> {
    for (const name of endpoints) await this.#budgets.get(name)?.take(bytes, signal);
  }
}
