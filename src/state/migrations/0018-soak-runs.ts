import type { Kysely } from 'kysely';

/**
 * Soak runs against the programme's endpoints (`tranche soak --endpoint`): the verdict and its
 * headline figures, kept so that the cutover gate (lifecycle.requireSoak), status and the dashboard
 * can read the last one. The whole report stays in the files the run wrote.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('soak_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('multiple', 'double precision', (c) => c.notNull())
    .addColumn('users', 'integer', (c) => c.notNull())
    .addColumn('live_users', 'integer', (c) => c.notNull())
    .addColumn('go', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('failures', 'text', (c) => c.notNull())
    .addColumn('report_dir', 'text')
    .execute();
  await db.schema
    .createIndex('soak_run_endpoint')
    .on('soak_run')
    .columns(['endpoint', 'finished_at'])
    .execute();
}
