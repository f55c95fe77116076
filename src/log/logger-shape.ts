/** One log call: an object of fields (errors whole as `err`) and a message, or a message alone. */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** What tranche logs through: pino's calls (a pino logger is one). */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}
