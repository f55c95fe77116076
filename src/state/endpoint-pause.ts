import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Pauses the endpoint NAME (REASON set: no new step starts against it; NOW: its running steps stop at
 * a safe point too) or resumes it (REASON null). Returns whether the endpoint exists.
 */
export async function setEndpointPause(
  db: Kysely<Database>,
  name: string,
  reason: string | null,
  now: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('endpoint')
    .set({ pause_reason: reason, pause_now: reason !== null && now ? 1 : 0 })
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
