import type { Kysely } from 'kysely';
import type { Database } from '../state/schema.js';

/** A server of the programme as the dashboard lists it: its name and whether it is paused. */
export interface EndpointLine {
  name: string;
  /** Why it is paused; null when steps start against it. */
  pausedReason: string | null;
  /** Paused with `--now`: its running steps stop at a safe point too. */
  pauseNow: boolean;
}

/** Every endpoint by name (no address, login or secret: those are not the dashboard's). */
export async function endpointLines(db: Kysely<Database>): Promise<EndpointLine[]> {
  const rows = await db
    .selectFrom('endpoint')
    .select(['name', 'pause_reason', 'pause_now'])
    .orderBy('name')
    .execute();
  return rows.map((r) => ({
    name: r.name,
    pausedReason: r.pause_reason,
    pauseNow: Number(r.pause_now) === 1,
  }));
}
