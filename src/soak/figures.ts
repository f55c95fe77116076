/** The IMAP commands a soak times, each in its own histogram. */
export const COMMANDS = [
  'login',
  'list',
  'select',
  'status',
  'fetch',
  'search',
  'append',
  'store',
  'expunge',
  'idle',
] as const;

/** One timed IMAP command. */
export type CommandName = (typeof COMMANDS)[number];

/** Latency percentiles and counts of one command (or all) over a stretch of time. */
export interface LatencyFigures {
  /** Commands answered (OK or not). */
  count: number;
  /** Commands refused (NO/BAD) or lost with their connection. */
  errors: number;
  /** Commands per second over the stretch. */
  rate: number;
  /** Latency from when the command was due (not when it was sent), in ms. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The figures of one stretch: per command, all together, and the generator's own lag. */
export interface StretchFigures {
  commands: Partial<Record<CommandName, LatencyFigures>>;
  all: LatencyFigures;
  /** How late the generator started actions against their schedule (ms). */
  lag: { p99: number; max: number };
  /** Actions the schedule offered in the stretch. */
  offered: number;
  /** Connections open at most in the stretch. */
  connections: number;
  /** The generator, not the server, was the limit: its lag p99 passed the bound. */
  generatorLimited: boolean;
}

/** One window of the run (10 s by default). */
export interface WindowFigures extends StretchFigures {
  startMs: number;
  endMs: number;
  /** The phase the window falls in (1-based; the last is the recovery). */
  phase: number;
}
