import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { LifecycleStep, MailboxState } from './mailbox-states.js';

/** How a set of mailbox rows changes (many rows share one). */
export interface Change {
  /** The state the rows were read in: a row is changed only if it still has it. */
  from: MailboxState;
  /** The new day, or null when the rows lose their day. */
  day: string | null;
  to: MailboxState;
  /** The step due next and when (programme time); undefined when none. */
  step: { step: LifecycleStep; dueAt: string } | undefined;
  /** Told users whose day changed: rescheduled_from keeps the first told day, told_day is cleared. */
  rescheduled: boolean;
  /** Failed mailboxes re-placed: attempts and the failure are reset. */
  clearFailure: boolean;
}

/** The rows a plan changes (in the order to write them) and how each changes. */
export interface PlanChanges {
  kinds: Change[];
  /** Row numbers into the addresses. */
  rows: Int32Array;
  /** Per entry of rows: its index into kinds. */
  kind: Int32Array;
}

/** Rows per UPDATE: one parameter each, well under SQLite's 32,766 (and PostgreSQL's 65,535). */
const CHUNK = 10_000;

/**
 * Writes a plan's changes: one set-based UPDATE … FROM per chunk of rows, the same SQL on SQLite
 * and PostgreSQL, in the order given (address order). Each row goes as one parameter, its kind of
 * change as a fixed-width number followed by its address ('00042alice@x.org'), joined in SQL with
 * the chunk's few kinds: at millions of rows, the parameters and the SQL text are most of the
 * work outside the database. A row a runner leased or moved on since it was read is left alone.
 * Returns the rows changed.
 */
export async function writePlan(
  trx: Transaction<Database>,
  addresses: readonly string[],
  changes: PlanChanges,
  nowIso: string,
): Promise<number> {
  const width = String(Math.max(0, changes.kinds.length - 1)).length;
  const id = (kind: number): string => String(kind).padStart(width, '0');
  let written = 0;
  for (let at = 0; at < changes.rows.length; at += CHUNK) {
    const end = Math.min(at + CHUNK, changes.rows.length);
    const kinds = [...new Set(changes.kind.subarray(at, end))].map((kind) => {
      const k = changes.kinds[kind]!;
      return sql`(${id(kind)}, ${k.day}, ${k.to}, ${k.step?.step ?? null}, ${k.step?.dueAt ?? null}, ${k.from}, ${k.rescheduled ? 'y' : 'n'}, ${k.clearFailure ? 'y' : 'n'})`;
    });
    const rows: string[] = [];
    for (let j = at; j < end; j++) rows.push(id(changes.kind[j]!) + addresses[changes.rows[j]!]!);
    const result = await sql`
      WITH k (id, batch_day, state, next_step, next_due_at, from_state, rescheduled, clear_failure)
          AS (VALUES ${sql.join(kinds)}),
        v (row) AS (VALUES (${sql.join(rows, sql`), (`)}))
      UPDATE mailbox SET
        batch_day = k.batch_day,
        state = k.state,
        next_step = k.next_step,
        next_due_at = k.next_due_at,
        updated_at = ${nowIso},
        rescheduled_from = CASE WHEN k.rescheduled = 'y'
          THEN coalesce(mailbox.rescheduled_from, mailbox.batch_day) ELSE mailbox.rescheduled_from END,
        told_day = CASE WHEN k.rescheduled = 'y' THEN NULL ELSE mailbox.told_day END,
        attempts = CASE WHEN k.clear_failure = 'y' THEN 0 ELSE mailbox.attempts END,
        failure_type = CASE WHEN k.clear_failure = 'y' THEN NULL ELSE mailbox.failure_type END,
        failure_reason = CASE WHEN k.clear_failure = 'y' THEN NULL ELSE mailbox.failure_reason END
      FROM v JOIN k ON k.id = substr(v.row, 1, ${sql.lit(width)})
      WHERE mailbox.address = substr(v.row, ${sql.lit(width + 1)})
        AND mailbox.state = k.from_state
        AND (mailbox.lease_until IS NULL OR mailbox.lease_until <= ${nowIso})`.execute(trx);
    written += Number(result.numAffectedRows ?? 0);
  }
  return written;
}
