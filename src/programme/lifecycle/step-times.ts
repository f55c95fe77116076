import type { LifecycleConfig } from '../config.js';
import type { LifecycleStep } from './mailbox-state.js';

const DAY_MS = 86_400_000;

/** A step and when it is due (ISO timestamp on the programme clock). */
export interface DueStep {
  step: LifecycleStep;
  dueAt: string;
}

/** The moment DAY at HH:MM (UTC). */
export function atTime(day: string, time: string): Date {
  return new Date(`${day}T${time}:00.000Z`);
}

/** The ISO date (UTC) of a moment. */
export function dayOf(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** Whether TEXT is a real calendar date written YYYY-MM-DD (2027-02-30 is not). */
export function isIsoDay(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    !Number.isNaN(Date.parse(`${text}T00:00:00.000Z`)) &&
    addDays(text, 0) === text
  );
}

/** DAY moved by N days. */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS));
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
