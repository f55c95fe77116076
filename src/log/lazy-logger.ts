import type { Logger } from './logger-shape.js';

/** pino's level numbers; a call below the threshold costs one comparison. */
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LevelName = keyof typeof LEVELS;
/** The level names, lowest first. */
export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

export function isLevelName(level: string): level is LevelName {
  return Object.hasOwn(LEVELS, level);
}

/**
 * A logger that makes the real one (pino) only when a line at or above its level is logged: a
 * quiet run (the default level is warn) never loads pino, which is 9 MB of a process's resident
 * memory and ~25 ms of its start (docs/ARCHITECTURE.md, "Start-up and memory"). Children are lazy
 * too and made from the real parent, so their lines carry the same bindings as pino's would.
 */
export class LazyLogger implements Logger {
  #real: Logger | undefined;
  readonly #threshold: number;

  constructor(
    readonly level: LevelName,
    private readonly make: () => Logger,
  ) {
    this.#threshold = LEVELS[level];
  }

  #log(level: Exclude<LevelName, 'silent'>, first: object | string, message?: string): void {
    if (LEVELS[level] < this.#threshold) return;
    const real = (this.#real ??= this.make());
    if (typeof first === 'string') real[level](first);
    else real[level](first, message);
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LazyLogger(this.level, () => (this.#real ??= this.make()).child(bindings));
  }

  trace(first: object | string, message?: string): void {
    this.#log('trace', first, message);
  }
  debug(first: object | string, message?: string): void {
    this.#log('debug', first, message);
  }
  info(first: object | string, message?: string): void {
    this.#log('info', first, message);
  }
  warn(first: object | string, message?: string): void {
    this.#log('warn', first, message);
  }
  error(first: object | string, message?: string): void {
    this.#log('error', first, message);
  }
  fatal(first: object | string, message?: string): void {
    this.#log('fatal', first, message);
  }
}
