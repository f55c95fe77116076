import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { isPostgres, type StoreHandle } from './store-kind.js';

/**
 * `COLUMN IN (VALUES…)` with every value in ONE bound parameter: a text[] unnested on PostgreSQL, a
 * JSON array on SQLite (`json_each`). A bulk operation on 20,000 mailboxes is then one statement
 * instead of one per chunk of bound parameters, and the query builder does not compile a 20,000-item
 * list (docs/benchmarks.md, the operations section). On PostgreSQL the subquery, not `= any(array)`:
 * for 20,000 of 2.1 million rows the planner took `= any` for a parallel sequential scan (585 ms),
 * the subquery for a nested loop on the primary key (231 ms).
 */
export function inTextSet(db: StoreHandle, column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return isPostgres(db)
    ? sql<SqlBool>`${sql.ref(column)} in (select unnest(${sql.val([...values])}::text[]))`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}
