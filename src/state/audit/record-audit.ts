import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AuditEntry } from './audit-entry.js';

/** Rows per INSERT: 9 parameters each, well under SQLite's 32,766. */
const CHUNK = 3_000;

/**
 * Appends ENTRIES to the audit trail, all at AT. Call it with the transaction that makes the change,
 * so the trail and the change are written together or not at all.
 */
export async function recordAudit(
  tx: Kysely<Database>,
  entries: readonly AuditEntry[],
  at: Date = new Date(),
): Promise<void> {
  const iso = at.toISOString();
  for (let from = 0; from < entries.length; from += CHUNK) {
    await tx
      .insertInto('audit')
      .values(
        entries.slice(from, from + CHUNK).map((e) => ({
          id: randomUUID(),
          at: iso,
          actor: e.actor,
          action: e.action,
          subject: e.subject,
          organisation: e.organisation ?? null,
          reason: e.reason ?? null,
          before: e.before ? JSON.stringify(e.before) : null,
          after: e.after ? JSON.stringify(e.after) : null,
        })),
      )
      .execute();
  }
}
