import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { isPostgres, type StoreHandle } from './store-kind.js';

/**
 * Values per statement. On a 2.1-million-row mailbox table PostgreSQL reads 5,000 keys with a bitmap
 * scan of the primary key (the heap in page order: a 20,000-row hold's UPDATE 1.2-1.7 s in four
 * statements), 20,000 with a parallel sequential scan, and 20,000 unnested into a nested loop in
 * random page order (1.8-2.1 s); docs/benchmarks.md, the operations section.
 */
export const TEXT_SET_CHUNK = 5_000;

/**
 * `COLUMN IN (VALUES…)` with every value in ONE bound parameter: a text[] on PostgreSQL (`= any`), a
 * JSON array on SQLite (`json_each`, read on the column's index). The statement is the same whatever
 * the count, so neither the query builder nor the server compiles a 5,000-parameter list.
 */
export function inTextSet(db: StoreHandle, column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return isPostgres(db)
    ? sql<SqlBool>`${sql.ref(column)} = any(${sql.val([...values])}::text[])`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/** Runs WORK over VALUES a chunk of TEXT_SET_CHUNK at a time (one statement each); returns the sum of what it counts. */
export async function byTextChunks(
  values: readonly string[],
  work: (chunk: readonly string[]) => Promise<number | bigint>,
): Promise<number> {
  let total = 0;
  for (let from = 0; from < values.length; from += TEXT_SET_CHUNK)
    total += Number(await work(values.slice(from, from + TEXT_SET_CHUNK)));
  return total;
}
