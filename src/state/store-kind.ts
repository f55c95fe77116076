const postgresStores = new WeakSet<object>();

/** Marks DB as a PostgreSQL store (done once, when it is opened). */
export function markPostgres(db: object): void {
  postgresStores.add(db);
}

/** Whether DB is a PostgreSQL store (else SQLite). */
export function isPostgres(db: object): boolean {
  return postgresStores.has(db);
}

/** Whether a state store location is a PostgreSQL URL (postgres:// or postgresql://), else a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
