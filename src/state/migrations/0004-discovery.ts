import type { Kysely } from 'kysely';

/** What discovery learns of each mailbox: its size, and whether each side's login works. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const columns: [string, 'integer' | 'bigint' | 'text'][] = [
    ['folder_count', 'integer'],
    ['message_count', 'bigint'],
    ['size_bytes', 'bigint'],
    ['source_login', 'text'],
    ['target_login', 'text'],
    ['discover_detail', 'text'],
    ['discovered_at', 'text'],
  ];
  for (const [name, type] of columns) await db.schema.alterTable('mailbox').addColumn(name, type).execute();
}
