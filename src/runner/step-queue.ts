import { PgBoss } from 'pg-boss';
import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import { OutageLog } from './outage-log.js';
import type { Logger } from '../log/logger.js';

/** A mailbox step handed to a worker: the mailbox, and the lease token the dispatcher left on it. */
export interface Handoff {
  address: string;
  token: string;
}

/** The queue all workers of a programme fetch their mailbox steps from. */
const QUEUE = 'tranche-step';

/**
 * The job queue of the scale-out mode: pg-boss on the programme's PostgreSQL (its own schema, pgboss).
 * It carries hand-offs only; the mailbox lease stays the one authority on who runs a mailbox, so a job
 * delivered twice (or after its worker died) can never run a mailbox twice.
 */
export class StepQueue {
  readonly #boss: PgBoss;
  /** The queue's own errors (pg-boss's, at each of its polls during an outage), logged once per change. */
  readonly outage: OutageLog;

  private constructor(boss: PgBoss, outage: OutageLog) {
    this.outage = outage;
    this.#boss = boss;
  }

  /** Connects to the queue in the PostgreSQL at URL (creating its schema and queue when missing). */
  static async open(url: string, logger: Logger): Promise<StepQueue> {
    // LISTEN/NOTIFY: a queued hand-off wakes the workers at once instead of at their next poll.
    const boss = new PgBoss({
      connectionString: url,
      max: 4,
      schedule: false,
      useListenNotify: true,
      application_name: 'tranche',
    });
    const outage = new OutageLog(logger, 'job queue');
    boss.on('error', (error: unknown) => outage.failed(error));
    try {
      await boss.start();
      // A hand-off is never retried by the queue: a lapsed lease makes the dispatcher hand the step off
      // anew. Jobs are kept a day for the queue's own statistics.
      const options = { retryLimit: 0, expireInSeconds: 86_400, retentionSeconds: 86_400, notify: true };
      await boss.createQueue(QUEUE, options);
      await boss.updateQueue(QUEUE, options);
    } catch (error) {
      await boss.stop({ graceful: false }).catch(() => undefined);
      const where = new URL(url);
      throw new TrancheError(
        'state',
        `cannot open the job queue at ${where.host}${where.pathname}: ${toTrancheError(error).message}`,
        { cause: error },
      );
    }
    return new StepQueue(boss, outage);
  }

  /** Queues hand-offs for the workers. */
  async send(handoffs: Handoff[]): Promise<void> {
    if (handoffs.length === 0) return;
    await this.#boss.insert(
      QUEUE,
      handoffs.map((data) => ({ data })),
    );
  }

  /** Takes hand-offs, CONCURRENCY at a time, into HANDLE, until stop() or drain(). */
  async work(concurrency: number, handle: (handoff: Handoff) => Promise<void>): Promise<void> {
    await this.#boss.work<Handoff>(
      QUEUE,
      {
        localConcurrency: concurrency,
        batchSize: 1,
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 0.5,
      },
      async (jobs) => {
        for (const job of jobs) await handle(job.data);
      },
    );
  }

  /** Stops taking hand-offs and waits for those being handled to end. */
  async drain(): Promise<void> {
    await this.#boss.offWork(QUEUE, { wait: true });
  }

  async close(): Promise<void> {
    await this.#boss.stop({ graceful: true, close: true, timeout: 30_000 });
  }
}
