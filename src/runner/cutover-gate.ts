import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { heldCutovers } from '../soak/soak-gate.js';
import type { Database } from '../state/schema.js';

/**
 * The soak gate as the runner and the workers' dispatcher see it: the target endpoints whose
 * cutovers (final steps) wait for a soak go (lifecycle.requireSoak), told once in the log as each
 * closes and opens again.
 */
export class CutoverGate {
  readonly #db: Kysely<Database>;
  readonly #config: Pick<ProgrammeConfig, 'lifecycle'>;
  readonly #logger: Logger;
  #held = new Set<string>();

  constructor(db: Kysely<Database>, config: Pick<ProgrammeConfig, 'lifecycle'>, logger: Logger) {
    this.#db = db;
    this.#config = config;
    this.#logger = logger;
  }

  /** The endpoints held now (empty when no soak is required); a soak's age is in real time. */
  async held(): Promise<string[]> {
    if (!this.#config.lifecycle.requireSoak) return [];
    const gates = await heldCutovers(this.#db, this.#config, new Date());
    const names = new Set(gates.map((g) => g.endpoint));
    for (const gate of gates)
      if (!this.#held.has(gate.endpoint)) this.#logger.warn({ endpoint: gate.endpoint }, gate.reason);
    for (const name of this.#held)
      if (!names.has(name))
        this.#logger.info({ endpoint: name }, `soak gate open: cutovers onto ${name} may start`);
    this.#held = names;
    return [...names];
  }
}
