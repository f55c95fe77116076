import { pino, type Logger } from 'pino';
import { readEnvironment } from '../environment/environment.js';
import { errorForLog } from './error-for-log.js';

export type { Logger };

/** Structured JSON logs on stderr. Callers add scope with child({ mailbox, folder }) and pass errors whole as `err` (their causes and stacks are logged). Never pass secrets or bodies. */
export function createLogger(level: string = readEnvironment('TRANCHE_LOG_LEVEL') ?? 'warn'): Logger {
  return pino(
    {
      level,
      base: { app: 'tranche' },
      serializers: { err: (error: unknown) => errorForLog(error) },
      redact: { paths: ['password', '*.password', 'pass', '*.pass', 'body', '*.body'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for library use and tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
