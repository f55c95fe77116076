import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sleep } from '../copy/backoff.js';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { NoticeTemplates } from '../notify/templates/notice-templates.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import { SystemClock } from '../limits/clock.js';
import { LeaderLock } from './leader-lock.js';
import { DEFAULT_LEASE_MS, HANDOFF_PREFIX, claimDue, liveLeases, nextDueAt, takeOver } from './leases.js';
import { CutoverGate } from './cutover-gate.js';
import { carryOutStep, type StepResult } from './run-step.js';
import { SchedulingDuties } from './scheduling-duties.js';
import { OutageLog } from './outage-log.js';
import { StepQueue } from './step-queue.js';
import { startWorking } from './start-working.js';

/** How a worker is set up. */
export interface WorkerOptions {
  db: Kysely<Database>;
  /** The PostgreSQL URL of the state store (the job queue lives beside it). */
  url: string;
  box: SecretBox;
  config: ProgrammeConfig;
  logger: Logger;
  /** Aborting drains: no new steps are taken, running passes stop at a safe point. */
  signal: AbortSignal;
  /** Mailboxes this worker copies at once (default 8). */
  maxMailboxes?: number;
  /** How long a lease lasts without a heartbeat (real time, default 2 minutes). */
  leaseMs?: number;
  /** How long a queued hand-off waits for a worker before the step is handed off anew (default 1 minute). */
  handoffMs?: number;
  /** How often the leader looks for due work (default 200 ms). */
  pollMs?: number;
  /** End once no mailbox has a step left and no notice waits (default: keep waiting for new plans). */
  exitWhenDone?: boolean;
  notify?: boolean;
  templates?: NoticeTemplates;
  onStep?: (mailbox: string, step: string, result: StepResult) => void;
}

/** What a worker did. */
export interface WorkerTotals {
  steps: number;
  ok: number;
  retry: number;
  failed: number;
  interrupted: number;
  /** Steps that stopped at a mailbox's daily upload allowance, to go on in its next window. */
  waiting: number;
  /** Hand-offs found stale on arrival (the step went to another job meanwhile). */
  stale: number;
  /** Steps this worker handed to the queue while it led. */
  dispatched: number;
  ended: 'done' | 'stopped';
}

/**
 * One of any number of worker processes sharing a programme on PostgreSQL. Every worker takes mailbox
 * steps from the job queue (pg-boss) and runs them with the same step code as `tranche run`. One of them
 * at a time, the holder of the leader lock, carries the scheduling duties: notices, and handing due
 * steps to the queue within every endpoint's shared limits and the live workers' capacity.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerTotals> {
  const { db, config, signal } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const handoffMs = options.handoffMs ?? 60_000;
  const pollMs = options.pollMs ?? 200;
  const maxMailboxes = options.maxMailboxes ?? 8;
  const clock = new SystemClock(pollMs);
  const { owner, logger, registry, ctx, stop } = await startWorking({
    ...options,
    clock,
    mode: 'worker',
    maxMailboxes,
    leaseMs,
  });
  const totals: WorkerTotals = {
    steps: 0,
    ok: 0,
    retry: 0,
    failed: 0,
    interrupted: 0,
    waiting: 0,
    stale: 0,
    dispatched: 0,
    ended: 'stopped',
  };
  let running = 0;
  const queue = await StepQueue.open(options.url, logger);
  const gate = new CutoverGate(db, config, logger);
  /** Target endpoints whose cutovers wait for a soak go, as the last dispatch saw them. */
  let held: string[] = [];
  const leader = new LeaderLock(options.url);
  let duties: SchedulingDuties | undefined;

  /** The leader's turn: notices, then due steps to the queue, as many as live workers can take. */
  const lead = async (): Promise<void> => {
    if (!duties) {
      duties = await SchedulingDuties.open(
        db,
        config,
        logger,
        owner,
        options.notify !== false,
        options.templates,
      );
      await registry.lead(true);
      logger.info('leading: carrying the scheduling duties');
    }
    const now = clock.now();
    await duties.carryOut(now);
    held = await gate.held();
    const free = (await registry.capacity('worker')) - (await liveLeases(db));
    if (free <= 0) return;
    const handed = await claimDue(db, {
      now,
      limit: Math.min(free, 256),
      leaseMs: handoffMs,
      connectionsPerMailbox: config.lifecycle.connectionsPerMailbox,
      ownerFor: () => `${HANDOFF_PREFIX}${randomUUID()}`,
      heldCutovers: held,
    });
    await queue.send(handed.map((m) => ({ address: m.address, token: m.lease_owner! })));
    totals.dispatched += handed.length;
  };

  /** Whether the programme is carried out: no step left, nothing running, no notice waiting. */
  const done = async (): Promise<boolean> =>
    running === 0 && !(await nextDueAt(db)) && !(duties && (await duties.pending()));

  try {
    await queue.work(maxMailboxes, async ({ address, token }) => {
      if (signal.aborted) return;
      const mailbox = await takeOver(db, address, token, owner, leaseMs);
      if (!mailbox) {
        totals.stale++;
        return;
      }
      running++;
      const step = mailbox.next_step ?? '';
      const result = await carryOutStep(ctx, mailbox);
      running--;
      totals.steps++;
      totals[result]++;
      options.onStep?.(address, step, result);
    });
    const turns = new OutageLog(logger, 'worker turn');
    while (!signal.aborted) {
      try {
        if (await leader.tryAcquire()) await lead();
        else if (duties) {
          // The lead was lost (its connection dropped): another worker carries the duties now.
          await duties.close();
          duties = undefined;
          await registry.lead(false);
        }
        if (options.exitWhenDone && (await done())) {
          totals.ended = 'done';
          break;
        }
        turns.ok();
        queue.outage.ok();
      } catch (error) {
        turns.failed(error);
      }
      await sleep(pollMs, signal).catch(() => undefined);
    }
  } finally {
    // Drain: no new hand-offs; running passes see the signal and stop at a safe point.
    await queue.drain().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await leader.release();
    await duties?.close();
    await stop();
  }
  return totals;
}
