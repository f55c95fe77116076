import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where state lives when --state is not given: $TRANCHE_HOME/state.sqlite, else ~/.tranche/state.sqlite. */
export function defaultStatePath(): string {
  return join(process.env.TRANCHE_HOME ?? join(homedir(), '.tranche'), 'state.sqlite');
}
