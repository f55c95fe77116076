import { basename } from 'node:path';
import { openSync, readSync, closeSync } from 'node:fs';
import type { Info } from 'csv-parse';
import { parseListFile, unreadableList } from './list-file.js';
import type { Kysely, Transaction } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import { fromCsvError } from './csv-error.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { Database } from '../../state/schema.js';
import { upsertMailboxes } from '../../state/mailbox/upsert-mailboxes.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';
import { CsvFile } from '../../csv/csv-file.js';
import {
  detectFormat,
  IMAPSYNC_COLUMNS,
  toMailboxRow,
  TRANCHE_COLUMNS,
  type MailboxFormat,
} from './formats.js';
import { RowError, type MailboxRow } from './mailbox-row.js';

/** How to read a mailbox list. */
export interface MailboxImportOptions {
  format: MailboxFormat | undefined;
  dryRun: boolean;
  /** Keep going past bad rows, writing their line, column and reason (never a value) to this file. */
  rejectsFile: string | undefined;
  organisation: string | undefined;
  sourceEndpoint: string | undefined;
  targetEndpoint: string | undefined;
  /** Who imports, for the audit trail (written in the import's transaction); none: not recorded. */
  actor?: string;
}

/** What an import did (or, with dryRun, would do). */
export interface ImportReport {
  format: MailboxFormat;
  rows: number;
  inserted: number;
  updated: number;
  rejected: number;
  dryRun: boolean;
}

const BATCH = 500;

function firstLine(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, n).split(/\r?\n/)[0] ?? '';
  } catch (error) {
    throw unreadableList(file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

type Reader = Kysely<Database> | Transaction<Database>;

async function flush(
  db: Reader,
  box: SecretBox,
  rows: MailboxRow[],
  write: boolean,
): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const existing = await db
    .selectFrom('mailbox')
    .select('address')
    .where(
      'address',
      'in',
      rows.map((r) => r.address),
    )
    .execute();
  const updated = existing.length;
  if (write) {
    await upsertMailboxes(
      db,
      rows.map((r) => ({
        address: r.address,
        organisation: r.organisation ?? null,
        display_name: r.displayName,
        source_endpoint: r.sourceEndpoint,
        source_user: r.sourceUser,
        source_secret: r.sourcePassword === undefined ? null : box.seal(r.sourcePassword),
        target_endpoint: r.targetEndpoint,
        target_user: r.targetUser,
        target_secret: r.targetPassword === undefined ? null : box.seal(r.targetPassword),
        notify_address: r.notifyAddress,
      })),
    );
  }
  return { inserted: rows.length - updated, updated };
}

/**
 * Imports a mailbox list, streamed (a file of millions of rows is never held whole). Every row is
 * validated; an error names the line and the column. Without a rejects file the first bad row
 * stops the import and nothing is written (one transaction); with one, bad rows are written there
 * (passwords removed) and the rest imported. A row for an address already known updates it.
 */
export async function importMailboxes(
  db: Kysely<Database>,
  box: SecretBox,
  file: string,
  options: MailboxImportOptions,
): Promise<ImportReport> {
  const format = options.format ?? detectFormat(firstLine(file));
  const endpoints = await db.selectFrom('endpoint').select(['name', 'url']).execute();
  const names = new Set(endpoints.map((e) => e.name));
  const organisations = new Set(
    (await db.selectFrom('organisation').select('code').execute()).map((o) => o.code),
  );
  for (const [flag, name] of [
    ['--source-endpoint', options.sourceEndpoint],
    ['--target-endpoint', options.targetEndpoint],
  ] as const) {
    if (name && !names.has(name)) throw new TrancheError('usage', `${flag}: no endpoint named ${name}`);
  }
  if (options.organisation && !organisations.has(options.organisation)) {
    throw new TrancheError('usage', `--org: no organisation ${options.organisation} (tranche import orgs)`);
  }
  const hosts = new Map<string, string[]>();
  for (const e of endpoints) {
    const host = new URL(e.url).hostname.toLowerCase();
    hosts.set(host, [...(hosts.get(host) ?? []), e.name]);
  }
  const ctx = {
    sourceEndpoint: options.sourceEndpoint,
    targetEndpoint: options.targetEndpoint,
    organisation: options.organisation,
    endpointForHost: (host: string) => {
      const found = hosts.get(host.toLowerCase());
      return found?.length === 1 ? found[0] : undefined;
    },
  };
  const report: ImportReport = {
    format,
    rows: 0,
    inserted: 0,
    updated: 0,
    rejected: 0,
    dryRun: options.dryRun,
  };
  const rejects = options.rejectsFile ? new CsvFile(options.rejectsFile) : undefined;
  rejects?.row(['line', 'column', 'reason']);
  // A rejected row is never echoed, not even its "safe" fields: a ';' or ',' inside a password
  // shifts the fields, so any of them may hold a piece of one. The line number finds it.
  const reject = (error: RowError): void => {
    report.rejected++;
    rejects!.row([error.line, error.column, error.problem]);
  };

  const work = async (trx: Reader): Promise<void> => {
    const parser = parseListFile(file, {
      bom: true,
      delimiter: format === 'imapsync' ? ';' : ',',
      // imapsync's list has no quoting: a '"' is part of a password there.
      quote: format === 'imapsync' ? false : '"',
      // Rows are arrays, their length checked here, so that a row a field short or long is a
      // rejected row with its line, not the end of the import.
      columns: false,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
    });
    let header: string[] | undefined = format === 'imapsync' ? [...IMAPSYNC_COLUMNS] : undefined;
    let batch = new Map<string, MailboxRow>();
    const write = async (): Promise<void> => {
      const counts = await flush(trx, box, [...batch.values()], !options.dryRun);
      report.inserted += counts.inserted;
      report.updated += counts.updated;
      batch = new Map();
    };
    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
        const line = item.info.lines;
        if (!header) {
          header = checkHeader(format, item.record);
          continue;
        }
        report.rows++;
        let row: MailboxRow;
        try {
          row = toMailboxRow(format, asRecord(format, header, item.record, line), line, ctx);
          if (!names.has(row.sourceEndpoint))
            throw new RowError(line, 'source_endpoint', 'no endpoint has this name (tranche endpoint list)');
          if (!names.has(row.targetEndpoint))
            throw new RowError(line, 'target_endpoint', 'no endpoint has this name (tranche endpoint list)');
          if (row.organisation && !organisations.has(row.organisation)) {
            throw new RowError(line, 'organisation', 'no organisation has this code (tranche import orgs)');
          }
        } catch (error) {
          if (!(error instanceof RowError) || !rejects) throw error;
          reject(error);
          continue;
        }
        // The same address twice in one batch: write what came before, so the later row wins.
        if (batch.has(row.address)) await write();
        batch.set(row.address, row);
        if (batch.size >= BATCH) await write();
      }
      await write();
    } catch (error) {
      // csv-parse may fail on a chunk before its header row reached this loop: name columns from line 1.
      throw fromCsvError(
        error,
        header ??
          firstLine(file)
            .replace(/^\uFEFF/, '')
            .split(',')
            .map((c) => c.trim()),
      );
    }
  };
  try {
    if (options.dryRun) await work(db);
    else
      await db.transaction().execute(async (tx) => {
        await work(tx);
        if (options.actor !== undefined)
          await recordAudit(tx, [
            {
              actor: options.actor,
              action: 'import.mailboxes',
              subject: basename(file),
              organisation: options.organisation ?? null,
              after: { inserted: report.inserted, updated: report.updated, rejected: report.rejected },
            },
          ]);
      });
  } finally {
    rejects?.close();
  }
  return report;
}

/**
 * A header format's row as a record of its columns; a row with more or fewer fields than the
 * header is refused (a ',' inside an unquoted password makes one). imapsync's rows stay arrays.
 */
function asRecord(
  format: MailboxFormat,
  header: string[],
  fields: string[],
  line: number,
): Record<string, string> | string[] {
  if (format === 'imapsync') return fields;
  if (fields.length !== header.length) {
    throw new RowError(
      line,
      header[Math.min(fields.length, header.length) - 1] ?? header[0]!,
      `expected ${header.length} fields, found ${fields.length} (a ',' inside an unquoted value? quote it)`,
    );
  }
  return Object.fromEntries(header.map((column, i) => [column, fields[i]!]));
}

function checkHeader(format: MailboxFormat, header: string[]): string[] {
  const columns = header.map((h) => h.trim());
  const known: readonly string[] =
    format === 'exchange' ? ['EmailAddress', 'UserName', 'Password', 'UserRoot'] : TRANCHE_COLUMNS;
  // Named by position, not quoted: a file without its header line has a data row here.
  const unknown = columns.findIndex((c) => !known.includes(c));
  if (unknown >= 0)
    throw new RowError(1, `#${unknown + 1}`, `not a known column name (known: ${known.join(', ')})`);
  const needed =
    format === 'exchange' ? ['EmailAddress', 'UserName'] : ['address', 'source_user', 'target_user'];
  const missing = needed.find((c) => !columns.includes(c));
  if (missing) throw new RowError(1, missing, 'column missing from the header');
  return columns;
}
