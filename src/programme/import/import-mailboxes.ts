import { basename } from 'node:path';
import { createReadStream, openSync, readSync, closeSync, writeFileSync, appendFileSync } from 'node:fs';
import { parse, type Info } from 'csv-parse';
import type { Kysely, Transaction } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import { fromCsvError } from './csv-error.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { Database } from '../../state/schema.js';
import { upsertMailboxes } from '../../state/mailbox/upsert-mailboxes.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';
import {
  detectFormat,
  PASSWORD_COLUMNS,
  toMailboxRow,
  TRANCHE_COLUMNS,
  type MailboxFormat,
} from './formats.js';
import { RowError, type MailboxRow } from './mailbox-row.js';

/** How to read a mailbox list. */
export interface MailboxImportOptions {
  format: MailboxFormat | undefined;
  dryRun: boolean;
  /** Keep going past bad rows, writing them (passwords removed) to this file. */
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
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new TrancheError(
      'usage',
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, n).split(/\r?\n/)[0] ?? '';
  } finally {
    closeSync(fd);
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
  const passwordColumns = new Set(PASSWORD_COLUMNS[format]);
  if (options.rejectsFile)
    writeFileSync(options.rejectsFile, 'line,reason,fields (passwords removed)\n', { mode: 0o600 });
  const reject = (line: number, reason: string, record: Record<string, string> | string[]): void => {
    report.rejected++;
    const columns = Array.isArray(record)
      ? ['host1', 'user1', 'password1', 'host2', 'user2', 'password2']
      : Object.keys(record);
    const values = Array.isArray(record) ? record : Object.values(record);
    const safe = values.map((v, i) => (passwordColumns.has(columns[i] ?? '') ? '(removed)' : v));
    appendFileSync(
      options.rejectsFile!,
      `${[String(line), reason, ...safe].map((v) => `"${v.replace(/"/g, '""')}"`).join(',')}\n`,
    );
  };

  const work = async (trx: Reader): Promise<void> => {
    const parser = createReadStream(file).pipe(
      parse({
        bom: true,
        delimiter: format === 'imapsync' ? ';' : ',',
        columns: format === 'imapsync' ? false : (header: string[]) => checkHeader(format, header),
        skip_empty_lines: true,
        relax_column_count: format === 'imapsync',
        trim: false,
        info: true,
      }),
    );
    let batch = new Map<string, MailboxRow>();
    const write = async (): Promise<void> => {
      const counts = await flush(trx, box, [...batch.values()], !options.dryRun);
      report.inserted += counts.inserted;
      report.updated += counts.updated;
      batch = new Map();
    };
    try {
      for await (const item of parser as AsyncIterable<{
        record: Record<string, string> | string[];
        info: Info;
      }>) {
        const line = item.info.lines;
        report.rows++;
        let row: MailboxRow;
        try {
          row = toMailboxRow(format, item.record, line, ctx);
          if (!names.has(row.sourceEndpoint))
            throw new RowError(line, 'source_endpoint', `no endpoint named ${row.sourceEndpoint}`);
          if (!names.has(row.targetEndpoint))
            throw new RowError(line, 'target_endpoint', `no endpoint named ${row.targetEndpoint}`);
          if (row.organisation && !organisations.has(row.organisation)) {
            throw new RowError(
              line,
              'organisation',
              `no organisation ${row.organisation} (tranche import orgs)`,
            );
          }
        } catch (error) {
          if (!(error instanceof RowError) || !options.rejectsFile) throw error;
          reject(line, error.message, item.record);
          continue;
        }
        // The same address twice in one batch: write what came before, so the later row wins.
        if (batch.has(row.address)) await write();
        batch.set(row.address, row);
        if (batch.size >= BATCH) await write();
      }
      await write();
    } catch (error) {
      throw fromCsvError(error);
    }
  };
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
  return report;
}

function checkHeader(format: MailboxFormat, header: string[]): string[] {
  const columns = header.map((h) => h.trim());
  const known: readonly string[] =
    format === 'exchange' ? ['EmailAddress', 'UserName', 'Password', 'UserRoot'] : TRANCHE_COLUMNS;
  const unknown = columns.filter((c) => !known.includes(c));
  if (unknown.length > 0) throw new RowError(1, unknown[0]!, `unknown column (known: ${known.join(', ')})`);
  const needed =
    format === 'exchange' ? ['EmailAddress', 'UserName'] : ['address', 'source_user', 'target_user'];
  const missing = needed.find((c) => !columns.includes(c));
  if (missing) throw new RowError(1, missing, 'column missing from the header');
  return columns;
}
