import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { TrancheError } from '../errors/tranche-error.js';
import { openProgramme } from './open-programme.js';
import type { OperationInput, OperationResult } from '../programme/operations/operation.js';
import { programmeNow } from '../report/programme-now.js';
import { addProgrammeOption } from './programme-option.js';

/** The flags every operation command takes. */
export interface OperationFlags {
  programme: string;
  file?: string;
  reason?: string;
  by?: string;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

/** Adds the flags of an operation command (--reason, --by, --dry-run, --json, --force; --file when FILE). */
export function addOperationFlags(command: Command, file: boolean): Command {
  if (file)
    command.option('--file <csv>', 'addresses from a CSV file (an "address" column, or the first one)');
  return addProgrammeOption(
    command
      .option('--reason <text>', 'why (kept in the audit trail)')
      .option('--by <name>', 'who acts (default: the operating-system user)')
      .option('--dry-run', 'say what would happen; change nothing')
      .option('--force', 'go ahead although some users would have short notice (they are named)')
      .option('--json', 'print the result as JSON'),
  );
}

/** The addresses of a CSV file: its "address" column when it has a header naming one, else the first column. */
export function addressesFromFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TrancheError('usage', `--file ${file}: cannot read it`, { cause: error });
  }
  const rows: string[][] = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  const header = rows[0]?.map((c) => c.toLowerCase()) ?? [];
  const column = header.indexOf('address');
  const body = column >= 0 ? rows.slice(1) : rows;
  const at = Math.max(0, column);
  return body.map((r) => r[at] ?? '').filter((a) => a.length > 0 && a.toLowerCase() !== 'address');
}

/** The addresses given as arguments and in --file. */
export function addressesOf(args: readonly string[], flags: OperationFlags): string[] {
  const all = [...args, ...(flags.file ? addressesFromFile(flags.file) : [])];
  if (all.length === 0) throw new TrancheError('usage', 'give one or more addresses, or --file CSV');
  return all;
}

/** Prints what an operation did (or would do): its summary and warnings, or JSON. */
export function printResult(result: OperationResult, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const lines = [
    ...result.summary,
    ...result.warnings.map((w) => `warning: ${w}`),
    result.dryRun
      ? 'dry run: nothing changed'
      : `done: ${result.changed} changed (${result.action}, in the audit trail)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Opens the programme, runs one operation with the flags as its input, prints the result, closes. */
export async function runOperation(
  flags: OperationFlags,
  operate: (input: OperationInput) => Promise<OperationResult>,
): Promise<void> {
  const programme = await openProgramme(flags.programme);
  try {
    const input: OperationInput = {
      db: programme.db,
      config: programme.config,
      actor: flags.by ?? userInfo().username,
      reason: flags.reason,
      dryRun: flags.dryRun === true,
      force: flags.force === true,
      now: await programmeNow(programme.db),
    };
    printResult(await operate(input), flags.json);
  } finally {
    await programme.db.destroy();
  }
}
