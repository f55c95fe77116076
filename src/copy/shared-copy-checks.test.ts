import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import type { MailStore, MessageMeta } from '../mailstore/mail-store.js';
import { SharedCopy, type CopiedBatch, type Lane } from './split-folder.js';

// How SharedCopy orders a lane's batches and the checks of what the target stored of them. The
// copies and checks here only record what happens and when they are let go; the real ones run
// against Dovecot in split-folder.test.ts and service-profile-sync.test.ts.

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const batch = (uid: number): MessageMeta[] => [{ uid, flags: [], size: 1, internalDate: new Date(0) }];
const lane: Lane = { source: {} as MailStore, target: {} as MailStore };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A SharedCopy of batches 1..n whose copies and checks log and wait to be let go. */
function recorded(n: number, copyFails?: number) {
  const log: string[] = [];
  const checks = new Map<number, ReturnType<typeof deferred>>();
  const copies = new Map<number, ReturnType<typeof deferred>>();
  const shared = new SharedCopy(
    'INBOX',
    Array.from({ length: n }, (_, i) => batch(i + 1)),
    () => Promise.resolve(),
    async (_lane, [meta]): Promise<CopiedBatch> => {
      const uid = meta!.uid;
      log.push(`copy ${uid}`);
      const copied = deferred();
      copies.set(uid, copied);
      await copied.promise;
      if (uid === copyFails) throw new TrancheError('connection-lost', `batch ${uid} lost`);
      log.push(`copied ${uid}`);
      return {
        check: () => {
          log.push(`check ${uid}`);
          const checked = deferred();
          checks.set(uid, checked);
          return checked.promise.then(() => void log.push(`checked ${uid}`));
        },
      };
    },
  );
  return { shared, log, checks, copies };
}

/** The lane's part in SHARED, with whether it has ended yet. */
function joining(shared: SharedCopy): { result: Promise<TrancheError | undefined>; ended: boolean } {
  const out = {
    ended: false,
    result: shared.join(lane, false).then((error) => {
      out.ended = true;
      return error;
    }),
  };
  return out;
}

/** A lane started on a recorded SharedCopy (see recorded()), run until its first batch is copied. */
async function afterFirstBatch(n: number, copyFails?: number) {
  const copy = recorded(n, copyFails);
  const join = joining(copy.shared);
  await tick();
  copy.copies.get(1)!.resolve();
  await tick();
  return { ...copy, join };
}

test("a lane copies its next batch while the last one's check is answered, one check at a time, and returns after the last", async () => {
  const { shared, log, checks, copies, join } = await afterFirstBatch(3);
  // Batch 2 is under way while batch 1's check is not answered.
  assert.deepEqual(log, ['copy 1', 'copied 1', 'check 1', 'copy 2']);
  copies.get(2)!.resolve();
  await tick();
  // Batch 2 is copied, but its check waits for batch 1's: never two checks on one connection.
  assert.deepEqual(log.slice(4), ['copied 2']);
  checks.get(1)!.resolve();
  await tick();
  assert.deepEqual(log.slice(5), ['checked 1', 'check 2', 'copy 3']);
  checks.get(2)!.resolve();
  copies.get(3)!.resolve();
  await tick();
  assert.deepEqual(log.slice(8), ['checked 2', 'copied 3', 'check 3']);
  // The lane's part ends only with its last check.
  assert.equal(join.ended, false);
  checks.get(3)!.resolve();
  assert.equal(await join.result, undefined);
  await shared.finished();
  assert.deepEqual(log.slice(11), ['checked 3']);
});

test('a failed check stops the lane and fails the copy; the batch copied meanwhile is still checked; no further batch is taken', async () => {
  const { shared, log, checks, copies, join } = await afterFirstBatch(4);
  checks.get(1)!.reject(new TrancheError('server', 'STORE in INBOX: NO no'));
  copies.get(2)!.resolve();
  await tick();
  assert.deepEqual(log, ['copy 1', 'copied 1', 'check 1', 'copy 2', 'copied 2', 'check 2']);
  assert.equal(join.ended, false);
  checks.get(2)!.resolve();
  const error = await join.result;
  assert.equal(error?.message, 'STORE in INBOX: NO no');
  assert.equal(shared.open, false);
  await assert.rejects(shared.finished(), /STORE in INBOX: NO no/);
  assert.deepEqual(log.slice(6), ['checked 2']);
});

test("a batch that fails while the last one's check runs: the lane waits for that check before it gives up", async () => {
  const { shared, log, checks, copies, join } = await afterFirstBatch(3, 2);
  copies.get(2)!.resolve();
  await tick();
  // Batch 2 failed, and batch 1's check still runs on the lane's target connection.
  assert.equal(join.ended, false);
  checks.get(1)!.resolve();
  const error = await join.result;
  assert.equal(error?.message, 'batch 2 lost');
  await assert.rejects(shared.finished(), /batch 2 lost/);
  assert.deepEqual(log, ['copy 1', 'copied 1', 'check 1', 'copy 2', 'checked 1']);
});
