import { seededRandom } from '../programme/plan/seeded-shuffle.js';
import type { LoadPlan } from './load-plan.js';
import { ACTION_KINDS, type ActionKind, type SoakProfile } from './profile.js';

/** One action due: when it should start (ms from the run's start), what, and by which user. */
export interface Arrival {
  atMs: number;
  action: ActionKind;
  /** Index of the simulated user. */
  user: number;
}

/**
 * The open model's schedule: a Poisson stream of actions at each phase's rate, drawn from a seed, so
 * that when an action is due never depends on how fast the server answered the last one. Users are
 * picked at random, actions by the profile's weights.
 */
export class ArrivalSchedule {
  readonly #plan: LoadPlan;
  readonly #random: () => number;
  readonly #users: number;
  readonly #cumulative: { kind: ActionKind; upTo: number }[] = [];
  #atMs = 0;

  constructor(plan: LoadPlan, profile: SoakProfile, users: number, seed: number) {
    this.#plan = plan;
    this.#random = seededRandom(seed);
    this.#users = users;
    const total = ACTION_KINDS.reduce((n, k) => n + profile.actionsPerHour[k], 0);
    let sum = 0;
    for (const kind of ACTION_KINDS) {
      if (profile.actionsPerHour[kind] === 0) continue;
      sum += profile.actionsPerHour[kind] / total;
      this.#cumulative.push({ kind, upTo: sum });
    }
  }

  /** The next arrival, or undefined once the plan has ended. */
  next(): Arrival | undefined {
    for (;;) {
      const phase = this.#plan.phases.find((p) => this.#atMs >= p.startMs && this.#atMs < p.endMs);
      if (!phase) return undefined;
      if (phase.ratePerSecond <= 0) {
        this.#atMs = phase.endMs;
        continue;
      }
      // Exponential gaps; one that crosses into the next phase is drawn again from there at the new
      // rate (exact for a Poisson process, which has no memory).
      const gap = (-Math.log(1 - this.#random()) / phase.ratePerSecond) * 1000;
      if (this.#atMs + gap >= phase.endMs) {
        this.#atMs = phase.endMs;
        continue;
      }
      this.#atMs += gap;
      return { atMs: this.#atMs, action: this.#pickAction(), user: Math.floor(this.#random() * this.#users) };
    }
  }

  #pickAction(): ActionKind {
    const r = this.#random();
    return (this.#cumulative.find((c) => r < c.upTo) ?? this.#cumulative[this.#cumulative.length - 1]!).kind;
  }
}
