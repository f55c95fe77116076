import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { AuditRecord } from './audit-entry.js';

/** Which part of the trail to read. */
export interface AuditFilter {
  /** One subject's trail: a mailbox address (or an organisation code, endpoint name, day). */
  subject?: string;
  /** Changes to an organisation and its mailboxes. */
  organisation?: string;
  /** Only organisations in this list (a scoped reader); undefined reads all. */
  organisations?: readonly string[];
  /** From this moment on (ISO). */
  since?: string;
  /** Newest first, at most this many. */
  limit: number;
}

const parsed = (json: string | null): Record<string, unknown> | null =>
  json === null ? null : (JSON.parse(json) as Record<string, unknown>);

/** The audit trail, newest first, as FILTER narrows it (each filter on an index). */
export async function readAudit(db: Kysely<Database>, filter: AuditFilter): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.organisation !== undefined) {
    const code = filter.organisation;
    query = query.where((eb) => eb.or([eb('organisation', '=', code), eb('subject', '=', code)]));
  }
  if (filter.organisations !== undefined) {
    const codes = filter.organisations.length > 0 ? [...filter.organisations] : [''];
    query = query.where('organisation', 'in', codes);
  }
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, before: parsed(r.before), after: parsed(r.after) }));
}
