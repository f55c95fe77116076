import type { Kysely } from 'kysely';

/** Time each mailbox spent waiting because a server throttled it (milliseconds, programme clock). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('mailbox')
    .addColumn('stalled_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}
