import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import type { NoticeChannel } from './channel.js';
import { createSmtpChannel } from './channels/smtp-channel.js';
import { releaseDeadLocalNotices, sendDueNotices, type SendTotals } from './ledger/send-due-notices.js';
import { loadNoticeTemplates, type NoticeTemplates } from './templates/notice-templates.js';
import { processEnvironment } from '../environment/environment.js';

/** What a runner uses to send the programme's notices: the ledger, the templates and a channel. */
export class Notifier {
  readonly #db: Kysely<Database>;
  readonly #config: ProgrammeConfig;
  readonly #templates: NoticeTemplates;
  readonly #channel: NoticeChannel;
  readonly #logger: Logger;
  readonly #owner: string;

  constructor(
    db: Kysely<Database>,
    config: ProgrammeConfig,
    templates: NoticeTemplates,
    channel: NoticeChannel,
    logger: Logger,
    owner: string,
  ) {
    this.#db = db;
    this.#config = config;
    this.#templates = templates;
    this.#channel = channel;
    this.#logger = logger.child({ part: 'notify' });
    this.#owner = owner;
  }

  /**
   * The programme's notifier over SMTP, or undefined when tranche.yaml has no notices section. TEMPLATES
   * are the ones openProgramme checked; loaded here when not given.
   */
  static open(
    db: Kysely<Database>,
    config: ProgrammeConfig,
    logger: Logger,
    owner: string,
    templates?: NoticeTemplates,
  ): Notifier | undefined {
    if (!config.notices) return undefined;
    return new Notifier(
      db,
      config,
      templates ?? loadNoticeTemplates(config.notices),
      createSmtpChannel(config.notices, processEnvironment(), { logger }),
      logger,
      owner,
    );
  }

  /** Frees the notices a dead sender of this host left mid-send. */
  recover(): Promise<number> {
    return releaseDeadLocalNotices(this.#db, this.#owner);
  }

  /** Sends what is due at NOW (programme clock). */
  send(now: Date): Promise<SendTotals> {
    return sendDueNotices(
      {
        db: this.#db,
        config: this.#config,
        templates: this.#templates,
        channel: this.#channel,
        logger: this.#logger,
        owner: this.#owner,
      },
      now,
    );
  }

  close(): Promise<void> {
    return this.#channel.close();
  }
}
