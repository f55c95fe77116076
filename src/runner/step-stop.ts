import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import type { Database } from '../state/schema.js';
import type { LeaseWatch } from './lease-watch.js';

/** Why a running step was stopped by people: its mailbox held or excluded, or its server paused now. */
export class StepStopped extends TrancheError {
  constructor(reason: string) {
    super('state', reason);
  }
}

/** Whether a step's signal fired because people stopped it (not a lost lease, not a stopping process). */
export function stoppedByPeople(signal: AbortSignal): StepStopped | undefined {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof StepStopped ? reason : undefined;
}

/**
 * Stops, at a safe point, the running steps people took out of the run since they began: mailboxes
 * held or excluded, or on an endpoint paused with `--now`. Called on every endpoint refresh (a poll),
 * so a hold reaches a running step within seconds. Returns the mailboxes stopped.
 */
export async function stopSetAsideSteps(db: Kysely<Database>, leases: LeaseWatch): Promise<string[]> {
  const running = leases.running();
  if (running.length === 0) return [];
  const paused = (await db.selectFrom('endpoint').select('name').where('pause_now', '=', 1).execute()).map(
    (e) => e.name,
  );
  const rows = await db
    .selectFrom('mailbox')
    .select(['address', 'hold_reason', 'exclude_reason', 'source_endpoint', 'target_endpoint'])
    .where('address', 'in', running)
    .execute();
  const stopped: string[] = [];
  for (const row of rows) {
    const endpoint = [row.source_endpoint, row.target_endpoint].find((e) => paused.includes(e));
    const why =
      row.hold_reason !== null
        ? `held: ${row.hold_reason}`
        : row.exclude_reason !== null
          ? `excluded: ${row.exclude_reason}`
          : endpoint !== undefined
            ? `endpoint ${endpoint} paused`
            : undefined;
    if (why !== undefined && leases.stop(row.address, new StepStopped(why))) stopped.push(row.address);
  }
  return stopped;
}
