import type { Kysely } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import { loadKeyring } from '../state/secrets/rotate-secret-key.js';
import { loadConfig, type ProgrammeConfig } from './config.js';

/** An open programme: its configuration, state store and secret box. */
export interface Programme {
  config: ProgrammeConfig;
  db: Kysely<Database>;
  box: SecretBox;
}

/** Opens the programme in DIR (config validated, key loaded, store migrated). Destroy db when done. */
export async function openProgramme(dir: string): Promise<Programme> {
  const config = loadConfig(dir);
  const box = loadKeyring(config.secretKeyFile);
  return { config, box, db: await openStateStore(config.state) };
}
