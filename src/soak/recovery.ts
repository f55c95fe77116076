import type { StretchFigures, WindowFigures } from './figures.js';

/** Slack under which a p95 counts as back whatever the baseline: sub-millisecond loopback noise. */
export const RECOVERY_SLACK_MS = 5;

/** How long the target took to come back after the top step. */
export interface Recovery {
  /** The first step's p95 (all commands), the level to come back to. */
  baselineP95Ms: number;
  /** A window's p95 at or under this counts as recovered: 10% over the baseline (or the slack). */
  boundMs: number;
  /** From the end of the top step to the end of the first recovered window; undefined if never. */
  afterMs: number | undefined;
  /** How long the recovery phase was watched. */
  watchedMs: number;
}

/** The p95 a recovery window must come back to, from the first step's figures. */
export function recoveryBound(firstStep: StretchFigures): number {
  const baseline = firstStep.all.p95;
  return Math.max(baseline * 1.1, baseline + RECOVERY_SLACK_MS);
}

/** Whether a window is back: it answered commands, and its p95 is within the bound. */
export function isRecovered(window: StretchFigures, boundMs: number): boolean {
  return window.all.count > 0 && window.all.p95 <= boundMs;
}

/**
 * The recovery: the first window of the recovery phase (load back at the first step's) whose p95 is
 * within 10% of the first step's, counted from the end of the top step.
 */
export function measureRecovery(
  firstStep: StretchFigures,
  windows: WindowFigures[],
  recoveryPhase: number,
  topStepEndMs: number,
): Recovery {
  const boundMs = recoveryBound(firstStep);
  const watched = windows.filter((w) => w.phase === recoveryPhase);
  const back = watched.find((w) => isRecovered(w, boundMs));
  return {
    baselineP95Ms: firstStep.all.p95,
    boundMs,
    afterMs: back ? back.endMs - topStepEndMs : undefined,
    watchedMs: watched.length === 0 ? 0 : watched[watched.length - 1]!.endMs - topStepEndMs,
  };
}
