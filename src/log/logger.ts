import { createRequire } from 'node:module';
import type * as Pino from 'pino';
import { readEnvironment } from '../environment/environment.js';
import { errorForLog } from './error-for-log.js';
import { isLevelName, LazyLogger, LEVEL_NAMES, type LevelName } from './lazy-logger.js';
import type { Logger } from './logger-shape.js';

export type { LogFn, Logger } from './logger-shape.js';

/** pino, loaded when the first line is written (it is CommonJS, so a synchronous require). */
const loadPino = (): typeof Pino => createRequire(import.meta.url)('pino') as typeof Pino;

/** The level names, for an error that lists them: "trace, debug, … or silent". */
const LEVEL_LIST = `${LEVEL_NAMES.slice(0, -1).join(', ')} or ${LEVEL_NAMES.at(-1)}`;

/**
 * Structured JSON logs on stderr. Callers add scope with child({ mailbox, folder }) and pass errors
 * whole as `err` (their causes and stacks are logged). Never pass secrets or bodies.
 */
export function createLogger(
  level: string = readEnvironment('TRANCHE_LOG_LEVEL') ?? 'warn',
  /** Where lines go (stderr when not given; tests pass a stream). */
  destination?: { write(line: string): void },
): Logger {
  if (!isLevelName(level)) throw new Error(`unknown log level "${level}" (TRANCHE_LOG_LEVEL: ${LEVEL_LIST})`);
  return new LazyLogger(level, () => pinoLogger(level, destination));
}

function pinoLogger(level: LevelName, destination?: { write(line: string): void }): Logger {
  const { pino } = loadPino();
  return pino(
    {
      level,
      base: { app: 'tranche' },
      serializers: { err: (error: unknown) => errorForLog(error) },
      redact: { paths: ['password', '*.password', 'pass', '*.pass', 'body', '*.body'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything, for library use and tests (pino is never loaded). */
export function silentLogger(): Logger {
  return new LazyLogger('silent', () => {
    throw new Error('a silent logger never logs');
  });
}
