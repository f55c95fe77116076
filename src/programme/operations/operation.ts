import type { Kysely } from 'kysely';
import type { ProgrammeConfig } from '../config/config.js';
import type { Database } from '../../state/schema.js';

/** Who acts, why, and how: what every operation people take on the programme is given. */
export interface OperationInput {
  db: Kysely<Database>;
  config: ProgrammeConfig;
  /** Who: the operating-system user (`--by`), or the API token's name. */
  actor: string;
  /** Why (`--reason`); some operations require one. */
  reason: string | undefined;
  /** Say what would happen; change nothing. */
  dryRun: boolean;
  /** Go ahead although some users would have short notice (they are named). */
  force: boolean;
  /** The programme clock. */
  now: Date;
  /** Organisations the actor may act on; undefined: all (admin, the command line). */
  organisations?: readonly string[];
}

/** What an operation did (or, on a dry run, would do), for people and for --json. */
export interface OperationResult {
  action: string;
  /** Mailboxes, organisations, endpoints or days it was asked to change. */
  subjects: string[];
  /** Rows changed (0 on a dry run). */
  changed: number;
  /** What happens, in words ("12 mailboxes move from 2027-03-03 to 2027-03-10"). */
  summary: string[];
  /** Users owed a rescheduled notice, or whose pending notices are cancelled. */
  notices: { rescheduled: number; cancelled: number };
  /** Things to know that did not stop it (over capacity, short notice under --force). */
  warnings: string[];
  dryRun: boolean;
}

/** A result with nothing in it yet. */
export function emptyResult(action: string, subjects: string[], dryRun: boolean): OperationResult {
  return {
    action,
    subjects,
    changed: 0,
    summary: [],
    notices: { rescheduled: 0, cancelled: 0 },
    warnings: [],
    dryRun,
  };
}

/** N things, in words. */
export const count = (n: number, what: string): string =>
  `${n} ${what}${n === 1 ? '' : /(x|s)$/.test(what) ? 'es' : 's'}`;
