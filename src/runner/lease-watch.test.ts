import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseWatch, leaseLost } from './lease-watch.js';

describe('LeaseWatch', () => {
  test('a running step whose lease was not renewed is stopped; the others go on', async () => {
    const watch = new LeaseWatch();
    const process = new AbortController();
    const a = watch.begin('a@example.org', process.signal);
    const b = watch.begin('b@example.org', process.signal);
    assert.deepEqual(await watch.renew(() => Promise.resolve(['a@example.org'])), ['b@example.org']);
    assert.equal(a.signal.aborted, false);
    assert.equal(leaseLost(b.signal), true);
    // Stopped once: the next heartbeat does not report it again.
    assert.deepEqual(await watch.renew(() => Promise.resolve(['a@example.org'])), []);
  });

  test('a step that begins while the renewal runs is left for the next heartbeat', async () => {
    const watch = new LeaseWatch();
    const process = new AbortController();
    let late: { signal: AbortSignal } | undefined;
    const lost = await watch.renew(() => {
      late = watch.begin('late@example.org', process.signal);
      return Promise.resolve([]);
    });
    assert.deepEqual(lost, []);
    assert.equal(late!.signal.aborted, false);
  });

  test('an ended step is not stopped, and ending an old step leaves a newer one on the same mailbox', async () => {
    const watch = new LeaseWatch();
    const process = new AbortController();
    const first = watch.begin('a@example.org', process.signal);
    first.end();
    const second = watch.begin('a@example.org', process.signal);
    first.end();
    assert.deepEqual(await watch.renew(() => Promise.resolve([])), ['a@example.org']);
    assert.equal(leaseLost(second.signal), true);
  });

  test('the process stopping is not a lost lease', () => {
    const watch = new LeaseWatch();
    const process = new AbortController();
    const step = watch.begin('a@example.org', process.signal);
    process.abort();
    assert.equal(step.signal.aborted, true);
    assert.equal(leaseLost(step.signal), false);
  });
});
