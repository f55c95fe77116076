import { TrancheError } from '../errors/tranche-error.js';

/** SQLite's result codes (better-sqlite3's `code`) and PostgreSQL's SQLSTATEs that mean the store's storage failed. */
const STORAGE_FAILURES: [RegExp, string][] = [
  [/^SQLITE_FULL$|^53100$/, 'the disk holding the state store is full'],
  [
    /^SQLITE_READONLY/,
    'the state store cannot be written (its file, its -wal or -shm file, or their directory: permissions, attributes or a read-only file system)',
  ],
  [/^SQLITE_CANTOPEN|^SQLITE_PERM$/, 'the state store (or its -wal or -shm file) cannot be opened'],
  [/^SQLITE_IOERR|^58030$/, 'reading or writing the state store failed (an I/O error)'],
  [/^SQLITE_CORRUPT|^SQLITE_NOTADB$|^XX001$/, 'the state store is damaged'],
];

/**
 * A storage failure of the state store (disk full, a read-only -wal or -shm, an I/O error, damage)
 * as a 'state' error (exit 74, as docs/cli.md says), keeping the driver's error as the cause;
 * undefined for anything else.
 */
export function storageError(error: unknown): TrancheError | undefined {
  if (error instanceof TrancheError) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const found = STORAGE_FAILURES.find(([pattern]) => pattern.test(code));
  if (!found) return undefined;
  return new TrancheError('state', `${found[1]} (${code}: ${(error as Error).message})`, { cause: error });
}
