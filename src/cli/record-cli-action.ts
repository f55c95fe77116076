import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import type { AuditEntry } from '../state/audit/audit-entry.js';
import { recordAudit } from '../state/audit/record-audit.js';
import type { Database } from '../state/schema.js';

/**
 * Records a command's change in the audit trail (who: the operating-system user), for changes made
 * by parts that keep no trail themselves (organisation imports, endpoints, tokens).
 * Never a secret in AFTER: only names, counts and settings.
 */
export async function recordCliAction(
  db: Kysely<Database>,
  action: string,
  subject: string,
  after: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, [cliAuditEntry(action, subject, after)]);
}

/**
 * A command's change as the trail records it (who: the operating-system user), for the parts that
 * write it in the transaction of the change themselves (organisation imports, endpoints, tokens).
 */
export function cliAuditEntry(action: string, subject: string, after: Record<string, unknown>): AuditEntry {
  return { actor: userInfo().username, action, subject, after };
}
