import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { hasPendingNotices, nextNoticeAt } from '../notify/ledger/next-notice-at.js';
import { noticeDay, queueCalendarNotices, queueDigests } from '../notify/ledger/queue-notices.js';
import { Notifier } from '../notify/notifier.js';
import type { NoticeTemplates } from '../notify/templates/notice-templates.js';
import type { Database } from '../state/schema.js';

/** New plans are looked for this often (real time) between turns of the notice day. */
const RESCAN_MS = 60_000;

/**
 * The programme's calendar duties besides copying: telling users of their day (warnings, reminders,
 * rescheduled notices), organisation digests, and sending what the ledger holds. One process carries
 * them at a time: the embedded runner, or the leading worker.
 */
export class SchedulingDuties {
  readonly #db: Kysely<Database>;
  readonly #config: ProgrammeConfig;
  readonly #logger: Logger;
  readonly #notifier: Notifier | undefined;
  #day = '';
  #scannedAt = 0;

  private constructor(db: Kysely<Database>, config: ProgrammeConfig, logger: Logger, notifier?: Notifier) {
    this.#db = db;
    this.#config = config;
    this.#logger = logger;
    this.#notifier = notifier;
  }

  /** The duties of OWNER; sends notices unless NOTIFY is false or tranche.yaml has no notices section. */
  static async open(
    db: Kysely<Database>,
    config: ProgrammeConfig,
    logger: Logger,
    owner: string,
    notify: boolean,
    templates?: NoticeTemplates,
  ): Promise<SchedulingDuties> {
    const notifier = notify ? Notifier.open(db, config, logger, owner, templates) : undefined;
    if (notifier) await notifier.recover();
    return new SchedulingDuties(db, config, logger, notifier);
  }

  /** Queues the calendar notices and digests due at NOW (programme time) and sends what is due. */
  async carryOut(now: Date): Promise<void> {
    // Calendar notices fall due by the day: looked for when the notice day turns (at the daily send
    // time), and each minute for new plans.
    const day = noticeDay(now, this.#config.notices?.digestTime ?? '00:00');
    if (day !== this.#day || Date.now() - this.#scannedAt >= RESCAN_MS) {
      const told = await queueCalendarNotices(this.#db, this.#config, now);
      if (told > 0) this.#logger.info({ told }, 'users told of their day');
      if (day !== this.#day) await queueDigests(this.#db, this.#config, now);
      this.#day = day;
      this.#scannedAt = Date.now();
    }
    if (this.#notifier) {
      const sent = await this.#notifier.send(now);
      if (sent.sent + sent.failed + sent.cancelled > 0) this.#logger.info(sent, 'notices');
    }
  }

  /** Whether a notice still waits to be sent (a run does not end before it is). */
  async pending(): Promise<boolean> {
    return this.#notifier !== undefined && (await hasPendingNotices(this.#db));
  }

  /** When the next notice falls due after NOW, if any. */
  nextAt(now: Date): Promise<Date | undefined> {
    return nextNoticeAt(this.#db, this.#config, now);
  }

  async close(): Promise<void> {
    await this.#notifier?.close();
  }
}
