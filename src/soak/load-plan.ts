import { TrancheError } from '../errors/tranche-error.js';
import { actionsPerUserHour, type SoakProfile } from './profile.js';

/** One stretch of a soak at one load: a ramp step, or the recovery after the top step. */
export interface SoakPhase {
  /** 1-based step number; the recovery phase comes after the last step. */
  index: number;
  kind: 'step' | 'recovery';
  /** The multiple of the live load offered in this phase. */
  multiple: number;
  /** Actions per second offered, all users together. */
  ratePerSecond: number;
  /** From the start of the run, in ms. */
  startMs: number;
  endMs: number;
}

/** The whole run's load over time: the steps, then the recovery phase. */
export interface LoadPlan {
  phases: SoakPhase[];
  /** The width of a figures window (10 s by default). */
  windowMs: number;
  /** The live users whose load a multiple of 1 stands for. */
  liveUsers: number;
  /** Actions per live user per hour (from the profile). */
  actionsPerUserHour: number;
  /** When the run ends at the latest (steps plus recovery). */
  totalMs: number;
}

/** Ramp steps from '--ramp 1,2,4,7.5': multiples, each above 0, rising. */
export function parseRamp(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((n) => !Number.isFinite(n) || n <= 0))
    throw new TrancheError('usage', `--ramp: '${text}' is not a list of multiples above 0 such as 1,2,4,7.5`);
  for (let i = 1; i < steps.length; i++)
    if (steps[i]! < steps[i - 1]!)
      throw new TrancheError('usage', `--ramp: steps must not go down ('${text}')`);
  return steps;
}

/** What a plan is made from. */
export interface LoadPlanInput {
  /** Multiples of the live load, one per step; the last is the top. */
  ramp: number[];
  /** All the steps together (--duration). */
  durationMs: number;
  /** The longest the recovery phase may last (the recovery threshold, or one step). */
  recoveryMs: number;
  windowMs: number;
  liveUsers: number;
  profile: SoakProfile;
}

/**
 * Splits the duration evenly between the ramp steps, then adds a recovery phase at the first step's
 * load: how long the target takes to come back once the top load is gone.
 */
export function planLoad(input: LoadPlanInput): LoadPlan {
  const perHour = actionsPerUserHour(input.profile);
  const stepMs = Math.floor(input.durationMs / input.ramp.length);
  if (stepMs < input.windowMs)
    throw new TrancheError(
      'usage',
      `--duration: each of the ${input.ramp.length} ramp steps would last ${stepMs} ms, less than one ${input.windowMs} ms window`,
    );
  const rate = (multiple: number): number => (input.liveUsers * multiple * perHour) / 3600;
  const phases: SoakPhase[] = input.ramp.map((multiple, i) => ({
    index: i + 1,
    kind: 'step',
    multiple,
    ratePerSecond: rate(multiple),
    startMs: i * stepMs,
    endMs: (i + 1) * stepMs,
  }));
  const stepsEnd = stepMs * input.ramp.length;
  phases.push({
    index: input.ramp.length + 1,
    kind: 'recovery',
    multiple: input.ramp[0]!,
    ratePerSecond: rate(input.ramp[0]!),
    startMs: stepsEnd,
    endMs: stepsEnd + input.recoveryMs,
  });
  return {
    phases,
    windowMs: input.windowMs,
    liveUsers: input.liveUsers,
    actionsPerUserHour: perHour,
    totalMs: stepsEnd + input.recoveryMs,
  };
}

/** The phase at MS from the start, or undefined past the end. */
export function phaseAt(plan: LoadPlan, ms: number): SoakPhase | undefined {
  return plan.phases.find((p) => ms >= p.startMs && ms < p.endMs);
}
