import type { ArrivalSchedule } from './arrivals.js';
import type { LoadPlan, SoakPhase } from './load-plan.js';
import type { ActionKind } from './profile.js';
import { isRecovered } from './recovery.js';
import type { SoakRecorder } from './soak-recorder.js';

/** Who carries out the actions: a simulated user's perform(), by user index. */
export type Performer = (user: number, action: ActionKind, dueMs: number) => Promise<void>;

/** What the generator is given. */
export interface GeneratorOptions {
  plan: LoadPlan;
  schedule: ArrivalSchedule;
  recorder: SoakRecorder;
  perform: Performer;
  /** Milliseconds since the run started. */
  now: () => number;
  /** Waits MS (a timer in production). */
  wait: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** The recovery bound, asked as each recovery window is decided: once one is back within it, the run ends early. */
  recoveryBoundMs?: () => number | undefined;
  /** Told as each phase starts (tests switch a slow proxy on and off here). */
  onPhase?: (phase: SoakPhase) => void;
}

/** How the generation ended. */
export interface GeneratorEnd {
  endMs: number;
  /** 'plan': the schedule ran out; 'recovered': the recovery came before the phase's end; 'stopped': a signal. */
  reason: 'plan' | 'recovered' | 'stopped';
}

/**
 * The open-loop generator: starts each action when the schedule says, whether or not earlier ones
 * have been answered, and records how late it was itself (its lag). Actions are never awaited here;
 * a slow server makes the queues grow, and the latencies (counted from the due time) show it.
 */
export async function generateLoad(options: GeneratorOptions): Promise<GeneratorEnd> {
  const { plan, schedule, recorder, now, signal } = options;
  const pendingByWindow = new Map<number, number>();
  const recoveryPhase = plan.phases[plan.phases.length - 1]!;
  let decidedWindow = Math.ceil(recoveryPhase.startMs / plan.windowMs) - 1;
  let phaseIndex = 0;
  const enterPhases = (atMs: number): void => {
    while (phaseIndex < plan.phases.length && plan.phases[phaseIndex]!.startMs <= atMs) {
      options.onPhase?.(plan.phases[phaseIndex]!);
      phaseIndex++;
    }
  };
  // A recovery window is decided once it has ended and every action due up to its end is answered:
  // an action's later commands are recorded in the window they were sent in, so an earlier slow
  // action can still add to it. Decided then, its figures and the first step's (the bound) are the
  // ones the verdict reads at the end (measureRecovery).
  const answeredUpTo = (window: number): boolean => {
    for (const [w, pending] of pendingByWindow) if (w <= window && pending > 0) return false;
    return true;
  };
  const recovered = (): boolean => {
    const boundOf = options.recoveryBoundMs;
    if (!boundOf) return false;
    const current = Math.floor(now() / plan.windowMs);
    while (decidedWindow + 1 < current && answeredUpTo(decidedWindow + 1)) {
      decidedWindow++;
      const bound = boundOf();
      if (
        bound !== undefined &&
        isRecovered(recorder.stretch(decidedWindow, decidedWindow, plan.windowMs), bound)
      )
        return true;
    }
    return false;
  };

  enterPhases(0);
  let next = schedule.next();
  while (next && !signal.aborted) {
    const boundary = plan.phases[phaseIndex]?.startMs;
    const wakeAt = boundary !== undefined && boundary < next.atMs ? boundary : next.atMs;
    const delay = wakeAt - now();
    if (delay > 0) await options.wait(delay);
    if (signal.aborted) break;
    const at = now();
    enterPhases(at);
    if (at >= recoveryPhase.startMs && recovered()) return { endMs: at, reason: 'recovered' };
    while (next && next.atMs <= at) {
      const arrival = next;
      const window = Math.floor(arrival.atMs / plan.windowMs);
      recorder.started(arrival.atMs, at - arrival.atMs);
      pendingByWindow.set(window, (pendingByWindow.get(window) ?? 0) + 1);
      void options
        .perform(arrival.user, arrival.action, arrival.atMs)
        .catch(() => undefined)
        .finally(() => {
          const left = pendingByWindow.get(window)! - 1;
          if (left === 0) pendingByWindow.delete(window);
          else pendingByWindow.set(window, left);
        });
      next = schedule.next();
    }
  }
  if (signal.aborted) return { endMs: now(), reason: 'stopped' };
  // The last phase's tail after the last arrival still belongs to the run.
  const end = recoveryPhase.endMs;
  if (end > now()) await options.wait(end - now());
  return { endMs: Math.min(now(), end), reason: 'plan' };
}
