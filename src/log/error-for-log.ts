/** An error as a log line carries it: its kind, words, retry facts, stack and causes. */
export interface LoggedError {
  name: string;
  type?: string;
  message: string;
  retryable?: boolean;
  retryAfterMs?: number;
  code?: string;
  stack?: string;
  cause?: LoggedError | string;
}

const MAX_CAUSES = 5;

/**
 * pino's serializer for `err`: keeps a TrancheError's own `type` (pino's standard serializer writes
 * the class name over it) and follows `cause` a few levels, so a log shows why, not only what.
 * Reads fields by name only, so it knows nothing of the parts above it.
 */
export function errorForLog(error: unknown, depth = 0): LoggedError | string {
  if (!(error instanceof Error))
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  const fields = error as Error & {
    type?: unknown;
    retryable?: unknown;
    retryAfterMs?: unknown;
    code?: unknown;
  };
  const logged: LoggedError = { name: error.name, message: error.message };
  if (typeof fields.type === 'string') logged.type = fields.type;
  if (typeof fields.retryable === 'boolean') logged.retryable = fields.retryable;
  if (typeof fields.retryAfterMs === 'number') logged.retryAfterMs = fields.retryAfterMs;
  if (typeof fields.code === 'string') logged.code = fields.code;
  if (error.stack) logged.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSES) logged.cause = errorForLog(error.cause, depth + 1);
  return logged;
}
