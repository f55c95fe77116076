import { userInfo } from 'node:os';
import type { AuditEntry } from '../state/audit/audit-entry.js';

/**
 * A command's change as the trail records it (who: the operating-system user), for the parts that
 * write it in the transaction of the change themselves (organisation imports, endpoints, tokens, their revocation).
 */
export function cliAuditEntry(action: string, subject: string, after: Record<string, unknown>): AuditEntry {
  return { actor: userInfo().username, action, subject, after };
}
