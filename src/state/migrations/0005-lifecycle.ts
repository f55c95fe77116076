import type { Kysely } from 'kysely';

/**
 * The batch calendar and lifecycle: each mailbox's day and the step due next (the mailbox row is the
 * unit of work, claimed under a lease), every copy pass, and the items a pass had to skip.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: [string, 'integer' | 'bigint' | 'text', number?][] = [
    ['batch_day', 'text'],
    ['told_day', 'text'],
    ['rescheduled_from', 'text'],
    ['next_step', 'text'],
    ['next_due_at', 'text'],
    ['attempts', 'integer', 0],
    ['lease_owner', 'text'],
    ['lease_until', 'text'],
    ['failure_type', 'text'],
    ['failure_reason', 'text'],
    ['last_pass_at', 'text'],
    ['done_at', 'text'],
    ['copied_messages', 'bigint', 0],
    ['copied_bytes', 'bigint', 0],
    ['skipped_items', 'integer', 0],
  ];
  for (const [name, type, fallback] of columns) {
    await db.schema
      .alterTable('mailbox')
      .addColumn(name, type, (c) => (fallback === undefined ? c : c.notNull().defaultTo(fallback)))
      .execute();
  }
  // Few indexes on purpose: a plan rewrites millions of rows and every index costs on each. The
  // runner's claims read next_due_at; the calendar, per day, reads batch_day and state.
  await db.schema.createIndex('mailbox_due').on('mailbox').columns(['next_due_at']).execute();
  await db.schema.createIndex('mailbox_batch_day').on('mailbox').columns(['batch_day', 'state']).execute();
  // Throughput: mailboxes done per day.
  await db.schema.createIndex('mailbox_done_at').on('mailbox').columns(['done_at']).execute();

  await db.schema
    .createTable('pass')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mailbox', 'text', (c) => c.notNull().references('mailbox.address').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('messages', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_type', 'text')
    .addColumn('error_reason', 'text')
    .execute();
  await db.schema.createIndex('pass_mailbox').on('pass').columns(['mailbox', 'started_at']).execute();
  await db.schema.createIndex('pass_finished').on('pass').columns(['finished_at']).execute();

  await db.schema
    .createTable('skipped_item')
    .addColumn('mailbox', 'text', (c) => c.notNull().references('mailbox.address').onDelete('cascade'))
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('uid', 'bigint', (c) => c.notNull())
    .addColumn('size', 'bigint')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('skipped_item_pk', ['mailbox', 'folder', 'uid'])
    .execute();
}
