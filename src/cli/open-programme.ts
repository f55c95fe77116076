import type { Kysely } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import { loadKeyring } from '../state/secrets/rotate-secret-key.js';
import { checkTemplateOrganisations } from '../notify/templates/check-template-organisations.js';
import { loadNoticeTemplates, type NoticeTemplates } from '../notify/templates/notice-templates.js';
import { loadConfig, type ProgrammeConfig } from '../programme/config/config.js';

/** An open programme (wired here, where the application is assembled, since it joins the notify part's templates to the programme): its configuration, state store and secret box, and its checked notice templates. */
export interface Programme {
  config: ProgrammeConfig;
  db: Kysely<Database>;
  box: SecretBox;
  /** Undefined when the programme sends no notices. */
  templates: NoticeTemplates | undefined;
}

/**
 * Opens the programme in DIR (config validated, notice templates checked, key loaded, store migrated).
 * Template errors (an unknown variable, a missing part, a folder for an unknown organisation) stop every
 * command here, long before a notice is due. STATE, when given, replaces the state store of tranche.yaml
 * (a worker pointed at the programme's PostgreSQL). Destroy db when done.
 */
export async function openProgramme(dir: string, state?: string): Promise<Programme> {
  const loaded = loadConfig(dir);
  const config = state ? { ...loaded, state } : loaded;
  const templates = config.notices && loadNoticeTemplates(config.notices);
  const box = loadKeyring(config.secretKeyFile);
  const db = await openStateStore(config.state);
  try {
    if (templates) await checkTemplateOrganisations(db, templates);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { config, box, db, templates };
}
