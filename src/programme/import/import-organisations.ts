import type { Info } from 'csv-parse';
import { parseListFile } from './list-file.js';
import type { Kysely } from 'kysely';
import { fromCsvError } from './csv-error.js';
import type { AuditEntry } from '../../state/audit/audit-entry.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { Database } from '../../state/schema.js';
import type { ImportReport } from './import-mailboxes.js';
import { email, optional, required, RowError } from './mailbox-row.js';
import { isIsoDay } from '../calendar/calendar-day.js';

/** Columns of the organisations CSV (docs/import.md). */
const COLUMNS = ['code', 'name', 'admin_contacts', 'pilot', 'blackout_dates'];

interface OrganisationRow {
  code: string;
  name: string;
  admin_contacts: string;
  pilot: number;
  blackout_dates: string;
}

function toRow(record: Record<string, string>, line: number): OrganisationRow {
  const code = required(record.code, line, 'code');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(code))
    throw new RowError(line, 'code', "letters, digits, '.', '_' and '-' only");
  const pilotText = (record.pilot ?? '').trim().toLowerCase();
  if (!['', 'yes', 'no', 'true', 'false', '1', '0'].includes(pilotText)) {
    throw new RowError(line, 'pilot', `'${record.pilot}' is not yes or no`);
  }
  const contacts = (optional(record.admin_contacts) ?? '')
    .split(/[;\s]+/)
    .filter(Boolean)
    .map((c) => email(c, line, 'admin_contacts'));
  const dates = (optional(record.blackout_dates) ?? '').split(/[;\s]+/).filter(Boolean);
  for (const date of dates) {
    if (!isIsoDay(date)) {
      throw new RowError(line, 'blackout_dates', `'${date}' is not a date (YYYY-MM-DD)`);
    }
  }
  return {
    code,
    name: required(record.name, line, 'name'),
    admin_contacts: contacts.join(';'),
    pilot: ['yes', 'true', '1'].includes(pilotText) ? 1 : 0,
    blackout_dates: dates.sort().join(';'),
  };
}

/**
 * Imports organisations (code,name,admin_contacts,pilot,blackout_dates), streamed, in one transaction;
 * a known code is updated. AUDIT, when given, makes the trail's entry from the counts, written in the
 * same transaction (the import and its entry, or neither).
 */
export async function importOrganisations(
  db: Kysely<Database>,
  file: string,
  dryRun: boolean,
  audit?: (counts: { inserted: number; updated: number }) => AuditEntry,
): Promise<Omit<ImportReport, 'format'>> {
  const report = { rows: 0, inserted: 0, updated: 0, rejected: 0, dryRun };
  const known = new Set((await db.selectFrom('organisation').select('code').execute()).map((o) => o.code));
  const work = async (trx: Kysely<Database>): Promise<void> => {
    const parser = parseListFile(file, {
      bom: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => {
        const columns = header.map((h) => h.trim());
        const unknown = columns.find((c) => !COLUMNS.includes(c));
        if (unknown) throw new RowError(1, unknown, `unknown column (known: ${COLUMNS.join(', ')})`);
        for (const needed of ['code', 'name'])
          if (!columns.includes(needed)) throw new RowError(1, needed, 'column missing from the header');
        return columns;
      },
    });
    try {
      for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
        report.rows++;
        const row = toRow(item.record, item.info.lines);
        if (known.has(row.code)) report.updated++;
        else report.inserted++;
        known.add(row.code);
        if (dryRun) continue;
        const { code: _code, ...update } = row;
        await trx
          .insertInto('organisation')
          .values(row)
          .onConflict((c) =>
            c.column('code').doUpdateSet({ ...update, updated_at: new Date().toISOString() }),
          )
          .execute();
      }
    } catch (error) {
      throw fromCsvError(error);
    }
  };
  if (dryRun) await work(db);
  else
    await db.transaction().execute(async (tx) => {
      await work(tx);
      if (audit) await recordAudit(tx, [audit({ inserted: report.inserted, updated: report.updated })]);
    });
  return report;
}
