import type { Kysely, Selectable } from 'kysely';
import { sleep } from '../copy/backoff.js';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database, MailboxTable } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import type { NoticeTemplates } from '../notify/templates/notice-templates.js';
import type { Clock } from '../limits/clock.js';
import { DEFAULT_LEASE_MS, claimDue, nextDueAt } from './leases.js';
import { CutoverGate } from './cutover-gate.js';
import { carryOutStep, type StepResult } from './run-step.js';
import { SchedulingDuties } from './scheduling-duties.js';
import { startWorking } from './start-working.js';

/** How a runner is set up; all but the programme are optional. */
export interface RunnerOptions {
  db: Kysely<Database>;
  box: SecretBox;
  config: ProgrammeConfig;
  clock: Clock;
  logger: Logger;
  /** Aborting drains: running passes stop at a safe point, their steps stay due. */
  signal: AbortSignal;
  /** Keep running when no mailbox has work left, waiting for new plans (default: stop). */
  follow?: boolean;
  /** Stop once the programme clock reaches this moment. */
  until?: Date;
  /** Mailboxes copied at once by this runner, beside each endpoint's own limits (default 16). */
  maxMailboxes?: number;
  /** How long a lease lasts without a heartbeat (real time, default 2 minutes). */
  leaseMs?: number;
  /** How often the runner looks for due work while passes run (real time, default 500 ms). */
  pollMs?: number;
  /** Send the programme's notices when tranche.yaml has a notices section (default true). */
  notify?: boolean;
  /** The notice templates openProgramme checked (loaded again when not given). */
  templates?: NoticeTemplates;
  /** Told of every step as it ends. */
  onStep?: (mailbox: string, step: string, result: StepResult) => void;
}

/** What a run did. */
export interface RunTotals {
  steps: number;
  ok: number;
  retry: number;
  failed: number;
  interrupted: number;
  /** Steps that stopped at a mailbox's daily upload allowance, to go on in its next window. */
  waiting: number;
  /** Why the run ended ('held': only cutovers waiting for a soak go are left, see heldCutovers). */
  ended: 'finished' | 'until' | 'stopped' | 'held';
  /** Target endpoints whose cutovers wait for a soak go (lifecycle.requireSoak) when the run ended. */
  heldCutovers: string[];
}

/**
 * Carries the calendar out in this process (the embedded mode): keeps the scheduling duties, claims
 * mailboxes whose next step is due (within each endpoint's limits, shared with any other process on the
 * store), runs their passes in parallel, and, when idle, waits for the next due moment. A restart picks
 * up where the last run stopped: every step is recorded on the mailbox row.
 */
export async function runProgramme(options: RunnerOptions): Promise<RunTotals> {
  const { db, clock, signal, config } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = options.pollMs ?? 500;
  const maxMailboxes = options.maxMailboxes ?? 16;
  const { owner, logger, registry, ctx, stop } = await startWorking({
    ...options,
    mode: 'run',
    maxMailboxes,
    leaseMs,
  });
  await registry.lead(true);
  const duties = await SchedulingDuties.open(
    db,
    config,
    logger,
    owner,
    options.notify !== false,
    options.templates,
  );
  const totals: RunTotals = {
    steps: 0,
    ok: 0,
    retry: 0,
    failed: 0,
    interrupted: 0,
    waiting: 0,
    ended: 'finished',
    heldCutovers: [],
  };
  const gate = new CutoverGate(db, config, logger);
  const running = new Map<string, Promise<void>>();
  let stepEnded: () => void = () => undefined;

  const start = (mailbox: Selectable<MailboxTable>): void => {
    const step = mailbox.next_step ?? '';
    const work = (async () => {
      const result = await carryOutStep(ctx, mailbox);
      running.delete(mailbox.address);
      totals.steps++;
      totals[result]++;
      options.onStep?.(mailbox.address, step, result);
      stepEnded();
    })();
    running.set(mailbox.address, work);
  };

  try {
    while (!signal.aborted) {
      const now = clock.now();
      if (options.until && now >= options.until) {
        totals.ended = 'until';
        break;
      }
      await duties.carryOut(now);
      const held = await gate.held();
      totals.heldCutovers = held;
      const free = maxMailboxes - running.size;
      if (free > 0) {
        const claimed = await claimDue(db, {
          now,
          limit: free,
          leaseMs,
          connectionsPerMailbox: config.lifecycle.connectionsPerMailbox,
          ownerFor: () => owner,
          heldCutovers: held,
        });
        for (const m of claimed) start(m);
      }
      const ended = new Promise<void>((resolve) => (stepEnded = resolve));
      if (running.size > 0) {
        await Promise.race([ended, sleep(pollMs)]);
        continue;
      }
      const step = await nextDueAt(db, held);
      // Done when no mailbox has a step left and no notice waits; notice moments wake the runner too.
      if (!step && !options.follow && !(await duties.pending())) {
        if (held.length > 0 && (await nextDueAt(db))) totals.ended = 'held';
        break;
      }
      const notice = await duties.nextAt(now);
      const next = [step, notice]
        .filter((d): d is Date => d !== undefined)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      if (next === undefined && options.follow && options.until === undefined) {
        // Nothing due at all: only people (a release, a move, a new plan) can change that, and they
        // act in real time, so look again after one poll rather than jump the clock a minute ahead
        // per loop (a simulated clock raced away, and on SQLite never left the microtask queue).
        await sleep(pollMs, signal).catch(() => undefined);
        continue;
      }
      const wakeAt = next ?? new Date(now.getTime() + 60_000);
      const target = options.until && options.until < wakeAt ? options.until : wakeAt;
      if (target > now) await clock.idleUntil(target, signal).catch(() => undefined);
      // Due but not claimable (held by another runner, or its endpoints are full): look again shortly.
      else await sleep(pollMs, signal).catch(() => undefined);
    }
    if (signal.aborted) totals.ended = 'stopped';
  } finally {
    await Promise.allSettled(running.values());
    await duties.close();
    await stop();
  }
  return totals;
}
