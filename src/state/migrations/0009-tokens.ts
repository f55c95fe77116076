import { sql, type Kysely } from 'kysely';

/**
 * Access to `tranche serve`: API tokens (only a SHA-256 of each is stored; the token itself is shown
 * once, when it is made) and the dashboard's login sessions (likewise kept as a hash of the cookie);
 * a partial index of failed mailboxes for the dashboard's failures view.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('organisations', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createTable('api_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('token_id', 'text', (c) => c.notNull().references('api_token.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_session_token').on('api_session').column('token_id').execute();
  // The failures view, its drill-down and its export read only failed mailboxes: grouped by type and
  // reason, listed by address within a type, and all of them by address. Partial indexes hold just
  // those rows (a few percent), so none of these scans millions of mailboxes, and other mailboxes'
  // updates never touch them.
  const failedIndexes: [string, string[]][] = [
    ['mailbox_failed_reason', ['failure_type', 'failure_reason']],
    ['mailbox_failed_type', ['failure_type', 'address']],
    ['mailbox_failed', ['address']],
  ];
  for (const [name, columns] of failedIndexes)
    await db.schema
      .createIndex(name)
      .on('mailbox')
      .columns(columns)
      .where(sql.ref('state'), '=', 'failed')
      .execute();
}
