const postgresStores = new WeakSet<object>();

/** Marks DB as a PostgreSQL store (done once, when it is opened). */
export function markPostgres(db: object): void {
  postgresStores.add(db);
}

/** Whether DB is a PostgreSQL store (else SQLite). */
export function isPostgres(db: object): boolean {
  return postgresStores.has(db);
}
