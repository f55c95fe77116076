import type { Kysely } from 'kysely';

/**
 * Scale-out: the workers sharing a programme (each alive while its heartbeat is fresh), and what the
 * endpoints' shared limits need in the database: the adaptive concurrency each endpoint is run at now,
 * and its bytes-per-hour bucket, so every worker draws from one budget.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('worker')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('max_mailboxes', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_ms', 'integer', (c) => c.notNull())
    .addColumn('stopped_at', 'text')
    .addColumn('leader_since', 'text')
    .execute();
  const columns: [string, 'integer' | 'text' | 'double precision'][] = [
    // A login slower than this (ms) halves the endpoint's concurrency; null: no adapting.
    ['latency_threshold_ms', 'integer'],
    // Mailboxes at once the endpoint is run at now (null: its max_mailboxes), and when it last changed.
    ['concurrency', 'integer'],
    ['concurrency_at', 'text'],
    // The shared bytes-per-hour bucket: tokens left at budget_at (programme time).
    ['budget_tokens', 'double precision'],
    ['budget_at', 'text'],
  ];
  for (const [name, type] of columns) await db.schema.alterTable('endpoint').addColumn(name, type).execute();
  // Load on an endpoint is read from the live leases.
  await db.schema.createIndex('mailbox_lease').on('mailbox').columns(['lease_until']).execute();
}
