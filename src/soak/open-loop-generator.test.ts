import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArrivalSchedule } from './arrivals.js';
import { planLoad } from './load-plan.js';
import { generateLoad } from './open-loop-generator.js';
import { OFFICE_USER, actionsPerUserHour } from './profile.js';
import { measureRecovery, recoveryBound } from './recovery.js';
import { SoakRecorder } from './soak-recorder.js';

/** A clock that moves only when the generator waits; tasks wake when it passes their time. */
class FakeClock {
  now = 0;
  #sleepers: { at: number; wake: () => void }[] = [];

  until(at: number): Promise<void> {
    return new Promise((wake) => this.#sleepers.push({ at, wake }));
  }

  async wait(ms: number): Promise<void> {
    this.now += ms;
    for (const s of this.#sleepers.filter((s) => s.at <= this.now)) s.wake();
    this.#sleepers = this.#sleepers.filter((s) => s.at > this.now);
    // Let the woken tasks (and their answers) run before the generator looks again.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('the run ends as recovered only when the verdict will say so: a slow top-step action still answering into the first recovery window holds the decision', async () => {
  // Two steps of 1.5 s (x1, x2), 1 s windows, the recovery phase from 3 s; ~5 actions a second at x1.
  const liveUsers = Math.round((5 * 3600) / actionsPerUserHour(OFFICE_USER));
  const plan = planLoad({
    ramp: [1, 2],
    durationMs: 3000,
    recoveryMs: 5000,
    windowMs: 1000,
    liveUsers,
    profile: OFFICE_USER,
  });
  const recorder = new SoakRecorder(plan);
  const clock = new FakeClock();
  let slowSent = false;
  const end = await generateLoad({
    plan,
    schedule: new ArrivalSchedule(plan, OFFICE_USER, 5, 7),
    recorder,
    now: () => clock.now,
    wait: (ms) => clock.wait(ms),
    signal: new AbortController().signal,
    recoveryBoundMs: () => {
      const first = plan.phases[0]!;
      return recoveryBound(recorder.stretch(0, Math.ceil(first.endMs / 1000) - 1, first.endMs));
    },
    perform: async (_user, _action, dueMs) => {
      recorder.command('select', dueMs, 1, true);
      // The top step's last action goes on: its next command, sent at 3.5 s, is answered at 4.9 s.
      if (!slowSent && dueMs >= 2500 && dueMs < 3000) {
        slowSent = true;
        await clock.until(4900);
        recorder.command('fetch', 3500, 1400, true);
      }
    },
  });
  assert.ok(slowSent, 'the schedule had an action in the top step’s last half second');
  // As the run does after the generator, the actions still out are drained before the verdict.
  await clock.wait(2000);
  const windows = recorder.windows(end.endMs);
  const first = plan.phases[0]!;
  const recovery = measureRecovery(
    recorder.stretch(0, Math.ceil(first.endMs / 1000) - 1, first.endMs),
    windows,
    plan.phases[2]!.index,
    3000,
  );
  assert.equal(end.reason, 'recovered');
  // The window 3-4 s holds the 1.4 s answer: not back. The next one is, and the run ends after it.
  assert.ok(end.endMs >= 5000, `ended at ${end.endMs} ms`);
  assert.equal(recovery.afterMs, 2000, JSON.stringify(recovery));
});
