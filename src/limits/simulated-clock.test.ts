// A simulated clock's idle jump lets timers run: on SQLite every query resolves inside the microtask
// queue, so a runner jumping from due moment to due moment must not starve heartbeats and polls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimulatedClock } from './clock.js';

test('SimulatedClock.idleUntil jumps the programme time and lets a due timer run', async () => {
  const clock = new SimulatedClock(new Date('2027-03-01T00:00:00Z'), 600);
  let fired = 0;
  const timer = setTimeout(() => fired++, 0);
  // A loop of nothing but jumps and already-resolved promises, as the runner's idle loop on SQLite.
  let jumps = 0;
  while (fired === 0 && jumps < 10_000) {
    await Promise.resolve();
    await clock.idleUntil(new Date(clock.now().getTime() + 60_000));
    jumps++;
  }
  clearTimeout(timer);
  assert.equal(fired, 1, 'the timer ran while the clock jumped');
  assert.ok(jumps < 10_000, `the loop yielded (after ${jumps} jumps)`);
  assert.ok(clock.now() >= new Date('2027-03-01T00:01:00Z'), 'the programme time jumped ahead');
});

test('SimulatedClock.idleUntil refuses at once when stopped, and never goes back in time', async () => {
  const clock = new SimulatedClock(new Date('2027-03-01T00:00:00Z'), 600);
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(clock.idleUntil(new Date('2027-03-02T00:00:00Z'), stop.signal), {
    name: 'AbortError',
  });
  const before = clock.now();
  await clock.idleUntil(new Date('2020-01-01T00:00:00Z'));
  assert.ok(clock.now() >= before);
});
