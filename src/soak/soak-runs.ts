import type { Kysely, Selectable } from 'kysely';
import type { Database, SoakRunTable } from '../state/schema.js';
import type { SoakResult } from './soak-result.js';
import type { ThresholdFailure } from './verdict.js';

/** A soak run as the programme keeps it. */
export interface SoakRunRecord {
  id: string;
  endpoint: string;
  target: string;
  startedAt: string;
  finishedAt: string;
  multiple: number;
  users: number;
  liveUsers: number;
  go: boolean;
  summary: string;
  failures: ThresholdFailure[];
  reportDir: string | undefined;
}

function toRecord(row: Selectable<SoakRunTable>): SoakRunRecord {
  return {
    id: row.id,
    endpoint: row.endpoint,
    target: row.target,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    multiple: Number(row.multiple),
    users: Number(row.users),
    liveUsers: Number(row.live_users),
    go: Number(row.go) === 1,
    summary: row.summary,
    failures: JSON.parse(row.failures) as ThresholdFailure[],
    reportDir: row.report_dir ?? undefined,
  };
}

/** Keeps a finished soak's verdict against ENDPOINT in the programme (this module owns soak_run). */
export async function recordSoakRun(
  db: Kysely<Database>,
  endpoint: string,
  result: SoakResult,
  reportDir: string | undefined,
): Promise<void> {
  await db
    .insertInto('soak_run')
    .values({
      id: result.runId,
      endpoint,
      target: result.target,
      started_at: result.startedAt,
      finished_at: result.finishedAt,
      multiple: result.multiple,
      users: result.users,
      live_users: result.liveUsers,
      go: result.verdict.go ? 1 : 0,
      summary: result.verdict.summary,
      failures: JSON.stringify(result.verdict.failures),
      report_dir: reportDir ?? null,
    })
    .execute();
}

/** Every soak run kept, newest first (a handful per endpoint: runs are hours apart). */
export async function listSoakRuns(db: Kysely<Database>): Promise<SoakRunRecord[]> {
  const rows = await db.selectFrom('soak_run').selectAll().orderBy('finished_at', 'desc').execute();
  return rows.map(toRecord);
}
