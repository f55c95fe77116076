import type { AuditRecord } from '../../state/audit/audit-entry.js';
import { readAudit, type AuditFilter } from '../../state/audit/read-audit.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';

/** How a change reads in one line: what changed, before → after. */
export function changeText(r: AuditRecord): string {
  const keys = [...new Set([...Object.keys(r.before ?? {}), ...Object.keys(r.after ?? {})])];
  const show = (v: unknown): string =>
    v === null || v === undefined ? '-' : JSON.stringify(v).replace(/^"|"$/g, '');
  return keys
    .filter((k) => show(r.before?.[k]) !== show(r.after?.[k]))
    .map((k) => `${k} ${show(r.before?.[k])} → ${show(r.after?.[k])}`)
    .join(', ');
}

/** The audit trail, newest first (`tranche audit`, the dashboard, /api/audit). */
export function auditTrail(db: Kysely<Database>, filter: AuditFilter): Promise<AuditRecord[]> {
  return readAudit(db, filter);
}

/** The trail as a table for the terminal. */
export function formatAuditTrail(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'no changes recorded';
  return records
    .map((r) =>
      [
        r.at.slice(0, 19).replace('T', ' '),
        r.actor,
        r.action,
        r.subject,
        r.reason ? `"${r.reason}"` : '-',
        changeText(r) || '-',
      ].join('  '),
    )
    .join('\n');
}
