import { formatMs } from './duration-text.js';
import type { LatencyFigures, StretchFigures } from './figures.js';
import type { Recovery } from './recovery.js';
import type { Threshold } from './thresholds.js';

/** A stretch of the run a threshold is checked over: a ramp step, or the steady part of the top step. */
export interface CheckedStretch {
  /** 'step 2 (x4)', 'steady (x7.5)'. */
  name: string;
  figures: StretchFigures;
}

/** A threshold not met, where, and what was seen. */
export interface ThresholdFailure {
  threshold: string;
  where: string;
  observed: string;
}

/** Go or no-go, with the failing thresholds named and the generator's own limits. */
export interface Verdict {
  go: boolean;
  failures: ThresholdFailure[];
  /** Thresholds checked (each over every stretch where it could be). */
  thresholds: string[];
  /** Stretches where the generator, not the server, was the limit (its lag p99 over the bound). */
  generatorLimited: string[];
  /** One line for people: 'GO: 3 thresholds met ...' or 'NO-GO: login.p95<1s failed in step 3 (x4) ...'. */
  summary: string;
}

function pick(figures: StretchFigures, command: string): LatencyFigures | undefined {
  return command === 'all' ? figures.all : figures.commands[command as keyof StretchFigures['commands']];
}

/** The failures of one threshold over the stretches (and the recovery). */
function check(threshold: Threshold, stretches: CheckedStretch[], recovery: Recovery): ThresholdFailure[] {
  if (threshold.kind === 'recovery') {
    if (recovery.afterMs !== undefined && recovery.afterMs < threshold.limitMs) return [];
    return [
      {
        threshold: threshold.text,
        where: 'after the top step',
        observed:
          recovery.afterMs === undefined
            ? `not back within ${formatMs(recovery.boundMs)} p95 in ${formatMs(recovery.watchedMs)} watched`
            : `back after ${formatMs(recovery.afterMs)}`,
      },
    ];
  }
  const failures: ThresholdFailure[] = [];
  let measured = false;
  for (const stretch of stretches) {
    const figures = pick(stretch.figures, threshold.command);
    if (!figures || figures.count === 0) continue;
    measured = true;
    if (threshold.kind === 'errors') {
      const percent = (figures.errors / figures.count) * 100;
      if (percent >= threshold.limitPercent)
        failures.push({
          threshold: threshold.text,
          where: stretch.name,
          observed: `${percent.toFixed(2)}% (${figures.errors} of ${figures.count})`,
        });
    } else if (figures[threshold.stat] >= threshold.limitMs) {
      failures.push({
        threshold: threshold.text,
        where: stretch.name,
        observed: `${threshold.stat} ${formatMs(figures[threshold.stat])}`,
      });
    }
  }
  if (!measured)
    failures.push({
      threshold: threshold.text,
      where: 'whole run',
      observed: `no ${threshold.command} measured`,
    });
  return failures;
}

/**
 * Checks every threshold per stretch and the recovery; the run is a go only if none fails and it
 * ran to its end (STOPPED_AT_MS: stopped early, by Ctrl-C, so the top load was never held).
 */
export function judge(
  thresholds: Threshold[],
  stretches: CheckedStretch[],
  recovery: Recovery,
  stoppedAtMs?: number,
): Verdict {
  const failures = thresholds.flatMap((t) => check(t, stretches, recovery));
  if (stoppedAtMs !== undefined)
    failures.unshift({
      threshold: 'complete run',
      where: 'whole run',
      observed: `stopped by a signal after ${formatMs(stoppedAtMs)}`,
    });
  const generatorLimited = stretches.filter((s) => s.figures.generatorLimited).map((s) => s.name);
  const go = failures.length === 0;
  const first = failures[0];
  let summary = go
    ? `GO: ${thresholds.length} threshold${thresholds.length === 1 ? '' : 's'} met in every step`
    : `NO-GO: ${[...new Set(failures.map((f) => f.threshold))].join(', ')} failed (first: ${first!.threshold} in ${first!.where}, ${first!.observed})`;
  if (generatorLimited.length > 0)
    summary += `; the generator was the limit in ${generatorLimited.join(', ')} (its own lag): those figures are not the server's alone`;
  return { go, failures, thresholds: thresholds.map((t) => t.text), generatorLimited, summary };
}
