import type { StretchFigures, WindowFigures } from './figures.js';
import type { SoakPhase } from './load-plan.js';
import type { SoakProfile } from './profile.js';
import type { Recovery } from './recovery.js';
import type { Verdict } from './verdict.js';

/** The figures of one phase of the run. */
export interface PhaseResult extends SoakPhase {
  /** 'step 2 (x4)' or 'recovery (x1)'. */
  name: string;
  figures: StretchFigures;
}

/** Everything a soak found: the JSON report, and what the HTML report draws. */
export interface SoakResult {
  /** The report format's version. */
  version: 1;
  runId: string;
  /** The target, as a URL (never with a login). */
  target: string;
  /** The programme endpoint soaked, when --endpoint named one. */
  endpoint: string | undefined;
  startedAt: string;
  finishedAt: string;
  /** Simulated users (accounts logged in). */
  users: number;
  /** Live users a multiple of 1 stands for. */
  liveUsers: number;
  /** The top multiple of the live load (the last ramp step). */
  multiple: number;
  ramp: number[];
  windowMs: number;
  profile: SoakProfile;
  /** How the run ended: the plan's end, recovery seen early, or stopped (Ctrl-C). */
  ended: 'plan' | 'recovered' | 'stopped';
  phases: PhaseResult[];
  /** The top step without its first window (the load settling). */
  steady: StretchFigures;
  windows: WindowFigures[];
  recovery: Recovery;
  verdict: Verdict;
  /** Messages the profile appended, those its expunges removed during the run, those removed at the end. */
  cleanup: { appended: number; expunged: number; removed: number; kept: boolean; problems: string[] };
}

/** The one line a soak ends with. */
export function verdictLine(result: SoakResult): string {
  return `tranche soak: ${result.verdict.summary}`;
}
