import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteBudget } from './byte-budget.js';
import { SimulatedClock } from './clock.js';

test('a bytes-per-hour budget lets a minute’s worth through at once, then holds to the rate (programme time)', async () => {
  const clock = new SimulatedClock(new Date('2027-01-04T00:00:00Z'), 1000);
  // 3.6 MB per hour: 1,000 bytes a second, at most a minute's worth (60,000) at once.
  const budget = new ByteBudget(3_600_000, clock);
  const start = clock.now().getTime();
  await budget.take(60_000);
  assert.ok(clock.now().getTime() - start < 5_000, 'the first minute’s worth waits for nothing');
  // Three callers at once wait in turn: 90,000 more bytes need 90 programme seconds.
  await Promise.all([budget.take(30_000), budget.take(30_000), budget.take(30_000)]);
  const waited = clock.now().getTime() - start;
  assert.ok(waited >= 90_000, `waited ${waited} ms of programme time`);
  // A message larger than the burst goes once a minute's worth has built up; the next caller pays its debt.
  await budget.take(120_000);
  assert.ok(clock.now().getTime() - start >= 150_000);
  await budget.take(1);
  assert.ok(clock.now().getTime() - start >= 210_000);
});

test('waiting for the budget stops when the run is aborted', async () => {
  const clock = new SimulatedClock(new Date('2027-01-04T00:00:00Z'), 1);
  const budget = new ByteBudget(3_600, clock);
  await budget.take(60);
  const controller = new AbortController();
  const waiting = budget.take(1_000_000, controller.signal);
  controller.abort(new Error('stopping'));
  await assert.rejects(waiting, /stopping/);
});
