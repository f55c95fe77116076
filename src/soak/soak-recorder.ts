import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { CommandName, LatencyFigures, StretchFigures, WindowFigures } from './figures.js';
import type { LoadPlan } from './load-plan.js';

/** A generator whose lag p99 passes this bound is the limit of its own figures (the 5 ms). */
export const GENERATOR_LAG_BOUND_MS = 5;

/** Everything recorded in one window: HDR histograms (µs) per command, counts, lag, connections. */
class WindowRecord {
  readonly commands = new Map<CommandName, { histogram: RecordableHistogram; errors: number }>();
  readonly all = createHistogram();
  allErrors = 0;
  readonly lag = createHistogram();
  offered = 0;
  connections = 0;
}

const micros = (ms: number): number => Math.max(1, Math.round(ms * 1000));

/**
 * Records a soak's measurements into windows of the plan's width: each command's latency in an HDR
 * histogram per command per window (perf_hooks: log-linear buckets, mergeable, integer µs), errors,
 * the actions offered, the connections open and the generator's own lag. Windows are kept by when a
 * command was due, so a slow answer counts where the user started waiting.
 */
export class SoakRecorder {
  readonly #plan: LoadPlan;
  readonly #windows: WindowRecord[] = [];
  #open = 0;

  constructor(plan: LoadPlan) {
    this.#plan = plan;
  }

  #window(atMs: number): WindowRecord {
    const index = Math.max(0, Math.floor(atMs / this.#plan.windowMs));
    for (let i = this.#windows.length; i <= index; i++) {
      const record = new WindowRecord();
      record.connections = this.#open;
      this.#windows.push(record);
    }
    return this.#windows[index]!;
  }

  /** A command due at DUE_MS (from the run's start) took LATENCY_MS to be answered, OK or not. */
  command(name: CommandName, dueMs: number, latencyMs: number, ok: boolean): void {
    const record = this.#window(dueMs);
    let entry = record.commands.get(name);
    if (!entry) record.commands.set(name, (entry = { histogram: createHistogram(), errors: 0 }));
    entry.histogram.record(micros(latencyMs));
    record.all.record(micros(latencyMs));
    if (!ok) {
      entry.errors++;
      record.allErrors++;
    }
  }

  /** An action due at DUE_MS was started LAG_MS late by the generator. */
  started(dueMs: number, lagMs: number): void {
    const record = this.#window(dueMs);
    record.offered++;
    record.lag.record(micros(lagMs));
  }

  /** A connection opened (+1) or closed (-1) at AT_MS. */
  connection(atMs: number, delta: 1 | -1): void {
    this.#open += delta;
    const record = this.#window(atMs);
    record.connections = Math.max(record.connections, this.#open);
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.#open;
  }

  /** The figures of every window up to END_MS. */
  windows(endMs: number): WindowFigures[] {
    const out: WindowFigures[] = [];
    const count = Math.ceil(endMs / this.#plan.windowMs);
    for (let i = 0; i < count; i++) {
      const startMs = i * this.#plan.windowMs;
      const end = Math.min(endMs, startMs + this.#plan.windowMs);
      const phase = this.#plan.phases.find((p) => startMs >= p.startMs && startMs < p.endMs);
      out.push({
        startMs,
        endMs: end,
        phase: phase?.index ?? this.#plan.phases.length,
        ...figuresOf([this.#window(startMs)], end - startMs),
      });
    }
    return out;
  }

  /** The figures of the windows from FIRST to LAST (inclusive, indexes) merged. */
  stretch(first: number, last: number, durationMs: number): StretchFigures {
    const records: WindowRecord[] = [];
    for (let i = first; i <= last; i++) records.push(this.#window(i * this.#plan.windowMs));
    return figuresOf(records, durationMs);
  }
}

function latency(histogram: RecordableHistogram, errors: number, seconds: number): LatencyFigures {
  const count = histogram.count;
  const ms = (us: number): number => (count === 0 ? 0 : Math.round(us) / 1000);
  return {
    count,
    errors,
    rate: Math.round((count / Math.max(seconds, 0.001)) * 100) / 100,
    p50: ms(histogram.percentile(50)),
    p95: ms(histogram.percentile(95)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
}

function figuresOf(records: WindowRecord[], durationMs: number): StretchFigures {
  const seconds = durationMs / 1000;
  const merged = new Map<CommandName, { histogram: RecordableHistogram; errors: number }>();
  const all = createHistogram();
  const lag = createHistogram();
  let allErrors = 0;
  let offered = 0;
  let connections = 0;
  for (const record of records) {
    for (const [name, entry] of record.commands) {
      let into = merged.get(name);
      if (!into) merged.set(name, (into = { histogram: createHistogram(), errors: 0 }));
      into.histogram.add(entry.histogram);
      into.errors += entry.errors;
    }
    all.add(record.all);
    lag.add(record.lag);
    allErrors += record.allErrors;
    offered += record.offered;
    connections = Math.max(connections, record.connections);
  }
  const commands: StretchFigures['commands'] = {};
  for (const [name, entry] of [...merged].sort(([a], [b]) => a.localeCompare(b)))
    commands[name] = latency(entry.histogram, entry.errors, seconds);
  const lagP99 = lag.count === 0 ? 0 : Math.round(lag.percentile(99)) / 1000;
  return {
    commands,
    all: latency(all, allErrors, seconds),
    lag: { p99: lagP99, max: lag.count === 0 ? 0 : Math.round(lag.max) / 1000 },
    offered,
    connections,
    generatorLimited: lagP99 > GENERATOR_LAG_BOUND_MS,
  };
}
