import type { Kysely, Selectable } from 'kysely';
import { sleep } from '../copy/backoff.js';
import { toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config.js';
import type { Database, MailboxTable } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import { hasPendingNotices, nextNoticeAt } from '../notify/ledger/next-notice-at.js';
import { noticeDay, queueCalendarNotices, queueDigests } from '../notify/ledger/queue-notices.js';
import { Notifier } from '../notify/notifier.js';
import type { NoticeTemplates } from '../notify/templates/notice-templates.js';
import type { Clock } from './clock.js';
import { EndpointLoad } from './endpoint-load.js';
import { claimDue, newOwnerId, nextDueAt, releaseDeadLocalLeases, renewLeases } from './leases.js';
import { runStep, type StepContext, type StepResult } from './run-step.js';

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
  /** Why the run ended. */
  ended: 'finished' | 'until' | 'stopped';
}

/**
 * Carries the calendar out: records warnings as they fall due, claims mailboxes whose next step is due
 * (within each endpoint's limits), runs their passes in parallel, and, when idle, waits for the next due
 * moment. A restart picks up where the last run stopped: every step is recorded on the mailbox row.
 */
export async function runProgramme(options: RunnerOptions): Promise<RunTotals> {
  const { db, clock, signal, config } = options;
  const owner = newOwnerId();
  const leaseMs = options.leaseMs ?? 120_000;
  const pollMs = options.pollMs ?? 500;
  const maxMailboxes = options.maxMailboxes ?? 16;
  const logger = options.logger.child({ worker: owner });
  const released = await releaseDeadLocalLeases(db, owner);
  if (released > 0) logger.info({ released }, 'took back mailboxes held by a runner that is gone');
  const notifier =
    options.notify === false ? undefined : Notifier.open(db, config, logger, owner, options.templates);
  if (notifier) await notifier.recover();

  const endpointRows = await db.selectFrom('endpoint').selectAll().execute();
  const load = new EndpointLoad(endpointRows, clock);
  const ctx: StepContext = {
    db,
    box: options.box,
    endpoints: new Map(endpointRows.map((e) => [e.name, e])),
    load,
    lifecycle: config.lifecycle,
    clock,
    owner,
    logger,
    signal,
    notices: config.notices !== undefined,
  };
  const totals: RunTotals = { steps: 0, ok: 0, retry: 0, failed: 0, interrupted: 0, ended: 'finished' };
  const running = new Map<string, Promise<void>>();
  let stepEnded: () => void = () => undefined;
  let warnedDay = '';
  let warnedAt = 0;

  const start = (mailbox: Selectable<MailboxTable>, release: () => void): void => {
    const step = mailbox.next_step ?? '';
    const work = (async () => {
      let result: StepResult;
      try {
        result = await runStep(ctx, mailbox);
      } catch (error) {
        // Recording the outcome failed (the state store): the lease runs out and the step is run again.
        logger.error({ mailbox: mailbox.address, err: toTrancheError(error).message }, 'step not recorded');
        result = 'interrupted';
      } finally {
        release();
        running.delete(mailbox.address);
      }
      totals.steps++;
      totals[result]++;
      options.onStep?.(mailbox.address, step, result);
      stepEnded();
    })();
    running.set(mailbox.address, work);
  };

  const heartbeat = setInterval(() => {
    renewLeases(db, owner, leaseMs).catch((error: unknown) =>
      logger.error({ err: toTrancheError(error).message }, 'lease heartbeat failed'),
    );
  }, leaseMs / 3);
  heartbeat.unref();
  try {
    while (!signal.aborted) {
      const now = clock.now();
      if (options.until && now >= options.until) {
        totals.ended = 'until';
        break;
      }
      // Calendar notices fall due by the day: looked for when the notice day turns (at the daily send
      // time), and each minute for new plans.
      const day = noticeDay(now, config.notices?.digestTime ?? '00:00');
      if (day !== warnedDay || Date.now() - warnedAt >= 60_000) {
        const told = await queueCalendarNotices(db, config, now);
        if (told > 0) logger.info({ told }, 'users told of their day');
        if (day !== warnedDay) await queueDigests(db, config, now);
        warnedDay = day;
        warnedAt = Date.now();
      }
      if (notifier) {
        const sent = await notifier.send(now);
        if (sent.sent + sent.failed + sent.cancelled > 0) logger.info(sent, 'notices');
      }
      const free = maxMailboxes - running.size;
      if (free > 0) {
        const claimed = await claimDue(db, owner, now, free, leaseMs, load.full(), (m) => {
          const holds = load.holdsFor(m, config.lifecycle.connectionsPerMailbox);
          if (!load.fits(holds)) return undefined;
          load.acquire(holds);
          return () => load.release(holds);
        });
        for (const m of claimed) {
          const holds = load.holdsFor(m, config.lifecycle.connectionsPerMailbox);
          start(m, () => load.release(holds));
        }
      }
      const ended = new Promise<void>((resolve) => (stepEnded = resolve));
      if (running.size > 0) {
        await Promise.race([ended, sleep(pollMs)]);
        continue;
      }
      const step = await nextDueAt(db);
      // Done when no mailbox has a step left and no notice waits; notice moments wake the runner too.
      if (!step && !options.follow && !(notifier && (await hasPendingNotices(db)))) break;
      const notice = await nextNoticeAt(db, config, now);
      const next = [step, notice]
        .filter((d): d is Date => d !== undefined)
        .sort((a, b) => a.getTime() - b.getTime())[0];
      const wakeAt = next ?? new Date(now.getTime() + 60_000);
      const target = options.until && options.until < wakeAt ? options.until : wakeAt;
      if (target > now) await clock.idleUntil(target, signal).catch(() => undefined);
      // Due but not claimable (held by another runner, or its endpoints are full): look again shortly.
      else await sleep(pollMs, signal).catch(() => undefined);
    }
    if (signal.aborted) totals.ended = 'stopped';
  } finally {
    await Promise.allSettled(running.values());
    clearInterval(heartbeat);
    await notifier?.close();
  }
  return totals;
}
