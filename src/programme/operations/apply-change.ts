import type { Kysely } from 'kysely';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { AuditEntry } from '../../state/audit/audit-entry.js';
import type { Database } from '../../state/schema.js';
import type { OperationInput, OperationResult } from './operation.js';

/**
 * Carries out an operation's WRITE and records its AUDIT entries in one transaction (the trail and
 * the change together or not at all); on a dry run, does neither. Returns RESULT with what changed.
 */
export async function applyChange(
  input: OperationInput,
  result: OperationResult,
  audit: readonly AuditEntry[],
  write: (tx: Kysely<Database>) => Promise<number>,
): Promise<OperationResult> {
  if (input.dryRun) return result;
  result.changed = await input.db.transaction().execute(async (tx) => {
    const changed = await write(tx);
    await recordAudit(tx, audit);
    return changed;
  });
  return result;
}

/** An audit entry for a change to one mailbox. */
export function mailboxEntry(
  input: OperationInput,
  action: string,
  row: { address: string; organisation: string | null },
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): AuditEntry {
  return {
    actor: input.actor,
    action,
    subject: row.address,
    organisation: row.organisation,
    reason: input.reason ?? null,
    before,
    after,
  };
}
