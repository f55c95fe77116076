import { homedir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from '../environment/environment.js';

/** Where state lives when --state is not given: $TRANCHE_HOME/state.sqlite, else ~/.tranche/state.sqlite. */
export function defaultStatePath(): string {
  return join(readEnvironment('TRANCHE_HOME') ?? join(homedir(), '.tranche'), 'state.sqlite');
}
