import type { Kysely } from 'kysely';

/**
 * What people decide day to day, kept where the runner and planner read it: a mailbox held or
 * excluded (with the reason) or pinned to a day; an endpoint paused (and whether its running steps
 * stop at once); a day closed or given another capacity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['hold_reason', 'exclude_reason', 'pinned_day']) {
    await db.schema.alterTable('mailbox').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('endpoint').addColumn('pause_reason', 'text').execute();
  await db.schema
    .alterTable('endpoint')
    .addColumn('pause_now', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('programme_day')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('closed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mailboxes', 'integer')
    .addColumn('bytes', 'bigint')
    .addColumn('reason', 'text')
    .execute();
}
