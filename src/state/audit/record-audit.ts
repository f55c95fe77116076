import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditTable, Database } from '../schema.js';
import { isPostgres } from '../store-kind.js';
import type { AuditEntry } from './audit-entry.js';

/** Rows per INSERT on SQLite: 9 parameters each, well under its 32,766. */
const CHUNK = 3_000;

/** The audit columns, in the order rows are given. */
const COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'subject',
  'organisation',
  'reason',
  'before',
  'after',
] as const;

/**
 * Appends ENTRIES to the audit trail, all at AT. Call it with the transaction that makes the change,
 * so the trail and the change are written together or not at all.
 */
export async function recordAudit(
  tx: Kysely<Database>,
  entries: readonly AuditEntry[],
  at: Date = new Date(),
): Promise<void> {
  if (entries.length === 0) return;
  const iso = at.toISOString();
  const rows: AuditTable[] = entries.map((e) => ({
    id: randomUUID(),
    at: iso,
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    organisation: e.organisation ?? null,
    reason: e.reason ?? null,
    before: e.before ? JSON.stringify(e.before) : null,
    after: e.after ? JSON.stringify(e.after) : null,
  }));
  if (isPostgres(tx)) {
    // One statement for any count: a text[] per column, unnested into rows (20,000 entries of a bulk
    // hold are one round trip, not seven 27,000-parameter ones).
    const arrays = COLUMNS.map((c) => sql`${sql.val(rows.map((r) => r[c]))}::text[]`);
    await sql`insert into audit (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
      select * from unnest(${sql.join(arrays)})`.execute(tx);
    return;
  }
  for (let from = 0; from < rows.length; from += CHUNK)
    await tx
      .insertInto('audit')
      .values(rows.slice(from, from + CHUNK))
      .execute();
}
