import type { LifecycleConfig } from '../config/config.js';
import type { LifecycleStep } from './mailbox-state.js';
import { addDays, atTime, dayOf } from '../calendar/calendar-day.js';

const DAY_MS = 86_400_000;

/** A step and when it is due (ISO timestamp on the programme clock). */
export interface DueStep {
  step: LifecycleStep;
  dueAt: string;
}

const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

/** The first step of a mailbox planned for DAY: the pre-stage, prestageDays before, at deltaTime (never before now). */
export function firstStep(day: string, lifecycle: LifecycleConfig, now: Date): DueStep {
  const prestage = atTime(addDays(day, -lifecycle.prestageDays), lifecycle.deltaTime);
  const cutover = atTime(day, lifecycle.cutoverTime);
  // With no pre-stage days (or a late plan) the initial copy is still a pass of its own before cutover.
  return {
    step: 'prestage',
    dueAt: later(prestage.getTime() < cutover.getTime() ? prestage : cutover, now).toISOString(),
  };
}

/**
 * The step after a successful pre-stage or delta pass: the next daily delta while it falls before the
 * cutover, else the final pass at the cutover. After the final pass there is none.
 */
export function stepAfter(
  done: LifecycleStep,
  day: string,
  lifecycle: LifecycleConfig,
  now: Date,
): DueStep | undefined {
  if (done === 'final') return undefined;
  const cutover = atTime(day, lifecycle.cutoverTime);
  let delta = atTime(dayOf(now), lifecycle.deltaTime);
  if (delta.getTime() <= now.getTime()) delta = new Date(delta.getTime() + DAY_MS);
  if (delta.getTime() < cutover.getTime()) return { step: 'delta', dueAt: delta.toISOString() };
  return { step: 'final', dueAt: later(cutover, now).toISOString() };
}
