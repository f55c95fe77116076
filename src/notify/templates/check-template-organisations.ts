import type { Kysely } from 'kysely';
import { join } from 'node:path';
import { TrancheError } from '../../errors/tranche-error.js';
import type { Database } from '../../state/schema.js';
import type { NoticeTemplates } from './notice-templates.js';

/**
 * Checks that every organisation folder of the templates directory is named after an organisation
 * of the programme (codes are case-sensitive): a typo would silently leave the built-in notices.
 */
export async function checkTemplateOrganisations(
  db: Kysely<Database>,
  templates: NoticeTemplates,
): Promise<void> {
  const codes = templates.organisations();
  if (codes.length === 0) return;
  const known = await db.selectFrom('organisation').select('code').where('code', 'in', codes).execute();
  const found = new Set(known.map((o) => o.code));
  const unknown = codes.filter((code) => !found.has(code));
  if (unknown.length > 0)
    throw new TrancheError(
      'usage',
      `templates for an organisation not in this programme: ${unknown.map((code) => `${join(templates.directory!, code)}/`).join(', ')} (the folder must be named after the organisation's code, same case)`,
    );
}
