import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import bytes from 'bytes';
import { isPostgresUrl } from '../../state/store-kind.js';
import { z } from 'zod';
import { TrancheError } from '../../errors/tranche-error.js';
import { parseYamlDocument } from './yaml-document.js';
import { isIsoDay } from '../calendar/calendar-day.js';
import { type Environment, processEnvironment, readEnvironment } from '../../environment/environment.js';

/** The programme's configuration file, found in the programme directory. */
export const CONFIG_FILE = 'tranche.yaml';

/** The day-to-day actions a dashboard/API role may be given (`operations.roles`), in the order docs list them. */
export const OPERATION_ACTIONS = [
  'retry',
  'move',
  'hold',
  'release',
  'exclude',
  'include',
  'pause',
  'resume',
  'close',
  'open',
  'capacity',
] as const;

const isoDate = z.string().refine(isIsoDay, 'must be a real date like 2027-03-01');
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 18:00 (UTC)');
/** A byte size: a number, or text such as '40 TB' or '500GB' (binary units). */
const byteSize = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value : bytes.parse(value);
  if (parsed === null || !Number.isFinite(parsed) || parsed < 0) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a size such as '500 GB'` });
    return z.NEVER;
  }
  return parsed;
});
const dayCapacity = z
  .object({
    mailboxes: z.number().int().nonnegative(),
    bytes: byteSize.optional(),
  })
  .strict();

const schema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    state: z.string().min(1, 'must not be empty').optional(),
    secretKeyFile: z.string().min(1, 'must not be empty').optional(),
    schedule: z
      .object({
        weekday: dayCapacity.optional(),
        weekend: dayCapacity.optional(),
        blackoutDates: z.array(isoDate).optional(),
        noticeDays: z.number().int().nonnegative().optional(),
        horizonDays: z.number().int().positive().max(3660).optional(),
        keepOrganisationsWhole: z.boolean().optional(),
        seed: z.number().int().optional(),
      })
      .strict()
      .optional(),
    lifecycle: z
      .object({
        prestageDays: z.number().int().nonnegative().max(60).optional(),
        deltaTime: timeOfDay.optional(),
        cutoverTime: timeOfDay.optional(),
        attempts: z.number().int().positive().max(100).optional(),
        retryDelayMinutes: z.number().positive().optional(),
        connectionsPerMailbox: z.number().int().positive().max(32).optional(),
        requireSoak: z
          .object({
            withinDays: z.number().positive().max(365).optional(),
            minMultiple: z.number().positive().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    soak: z
      .object({ loadTestTargets: z.array(z.string().min(1)).optional() })
      .strict()
      .optional(),
    // Which dashboard/API role may take which day-to-day action (docs/operations.md); defaults in serve.
    operations: z
      .object({
        // Partial: a role not named keeps its defaults (zod 4's record with enum keys wants them all).
        roles: z
          .partialRecord(
            z.enum(['admin', 'org-admin', 'helpdesk', 'metrics']),
            z
              .object({
                actions: z.array(z.enum(OPERATION_ACTIONS)),
                oneMailbox: z.boolean().default(false),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional(),
    notices: z
      .object({
        from: z.string().min(3, 'must be an address such as "Mail move <moves@example.org>"'),
        helpdesk: z
          .object({
            name: z.string().min(1),
            address: z.string().email().optional(),
            phone: z.string().optional(),
          })
          .strict(),
        warningDays: z.number().int().positive().max(90).optional(),
        reminderDays: z.number().int().nonnegative().max(30).optional(),
        digestTime: timeOfDay.optional(),
        templatesDir: z.string().min(1).optional(),
        smtp: z
          .object({
            url: z
              .string()
              .regex(
                /^smtps?:\/\/[^/@]+$/i,
                'must be smtp://HOST:PORT or smtps://HOST:PORT (no credentials)',
              ),
            user: z.string().min(1).optional(),
            passwordFile: z.string().min(1).optional(),
            insecure: z.boolean().optional(),
            ratePerMinute: z.number().int().positive().optional(),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A day's capacity: mailboxes, and optionally bytes (e.g. a target's GB/hour over the migration window). */
export interface DayCapacity {
  mailboxes: number;
  bytes: number | undefined;
}

/** How the planner fills the calendar. */
export interface ScheduleConfig {
  weekday: DayCapacity;
  weekend: DayCapacity;
  /** Programme-wide days without moves (ISO dates); organisations add their own. */
  blackoutDates: string[];
  /** No day sooner than plan time + this many days, so the warning can go out in time. */
  noticeDays: number;
  /** How far ahead the planner looks for room, in days. */
  horizonDays: number;
  /** Keep each organisation on one day when it fits in one. */
  keepOrganisationsWhole: boolean;
  /** The seed of the random share picked each day: same inputs and seed, same plan. */
  seed: number;
}

/** Where notices go out and what they say; absent: no notices are sent. */
export interface NoticesConfig {
  /** The sender, e.g. 'Mail move <moves@example.org>'. */
  from: string;
  /** Named in every notice: whom users ask. Failure notices go to its address too. */
  helpdesk: { name: string; address: string | undefined; phone: string | undefined };
  /** The warning goes this many days before the day (default 14). */
  warningDays: number;
  /** The reminder goes this many days before the day (default 1). */
  reminderDays: number;
  /** Each organisation's daily digest goes at this time, UTC (default 07:00). */
  digestTime: string;
  /** Templates that override the built-in ones (absolute path), or undefined. */
  templatesDir: string | undefined;
  smtp: {
    url: string;
    user: string | undefined;
    /** A file holding the SMTP password (absolute path); TRANCHE_SMTP_PASSWORD when not given. */
    passwordFile: string | undefined;
    insecure: boolean;
    /** Messages per minute at most (default 600). */
    ratePerMinute: number;
  };
}

/** When each mailbox's passes run around its day (times of day in UTC). */
export interface LifecycleConfig {
  /** The initial copy starts this many days before the day. */
  prestageDays: number;
  /** Delta passes run daily at this time between pre-stage and the day. */
  deltaTime: string;
  /** The cutover on the day, followed by the final pass and verify. */
  cutoverTime: string;
  /** Tries of a step that fails retryably before the mailbox is failed. */
  attempts: number;
  /** The first retry's delay; each later one doubles it (with jitter), capped at a day. */
  retryDelayMinutes: number;
  /** Connections to each side per mailbox (folders copied at once). */
  connectionsPerMailbox: number;
  /** No cutover onto a target endpoint without a soak go this recent at this multiple (docs/soak.md). */
  requireSoak?: { withinDays: number; minMultiple: number } | undefined;
}

/** The configuration with every default filled and paths made absolute. */
export interface ProgrammeConfig {
  /** The programme's name, for reports and notices. */
  name: string;
  /** The state store: a SQLite file path or a postgres:// URL. */
  state: string;
  /** Where the secret key file is (TRANCHE_SECRET_KEY, when set, is used instead). */
  secretKeyFile: string;
  /** The programme directory. */
  dir: string;
  schedule: ScheduleConfig;
  lifecycle: LifecycleConfig;
  /** Undefined when the programme sends no notices. */
  notices: NoticesConfig | undefined;
  /** Endpoints that may be soaked without --i-own-this-server (test platforms, not the live one). */
  soak?: { loadTestTargets: string[] };
  /** Rights of the dashboard roles to act (tranche.yaml `operations.roles`); undefined: the defaults. */
  operations?: { roles?: Partial<Record<string, { actions: string[]; oneMailbox: boolean }>> };
}

/** All defaults, in one place; environment variables (TRANCHE_DB) win over the file. */
export function withDefaults(
  input: z.infer<typeof schema>,
  dir: string,
  env: Environment = processEnvironment(),
): ProgrammeConfig {
  const local = (path: string): string => (isAbsolute(path) || isPostgresUrl(path) ? path : join(dir, path));
  return {
    ...(input.operations ? { operations: input.operations } : {}),
    name: input.name,
    state: local(readEnvironment('TRANCHE_DB', env) ?? input.state ?? 'state.sqlite'),
    secretKeyFile: local(input.secretKeyFile ?? 'secret.key'),
    dir,
    schedule: {
      weekday: {
        mailboxes: input.schedule?.weekday?.mailboxes ?? 1000,
        bytes: input.schedule?.weekday?.bytes,
      },
      weekend: { mailboxes: input.schedule?.weekend?.mailboxes ?? 0, bytes: input.schedule?.weekend?.bytes },
      blackoutDates: input.schedule?.blackoutDates ?? [],
      noticeDays: input.schedule?.noticeDays ?? 14,
      horizonDays: input.schedule?.horizonDays ?? 365,
      keepOrganisationsWhole: input.schedule?.keepOrganisationsWhole ?? false,
      seed: input.schedule?.seed ?? 1,
    },
    lifecycle: {
      prestageDays: input.lifecycle?.prestageDays ?? 3,
      deltaTime: input.lifecycle?.deltaTime ?? '01:00',
      cutoverTime: input.lifecycle?.cutoverTime ?? '18:00',
      attempts: input.lifecycle?.attempts ?? 5,
      retryDelayMinutes: input.lifecycle?.retryDelayMinutes ?? 10,
      connectionsPerMailbox: input.lifecycle?.connectionsPerMailbox ?? 2,
      requireSoak: input.lifecycle?.requireSoak && {
        withinDays: input.lifecycle.requireSoak.withinDays ?? 7,
        minMultiple: input.lifecycle.requireSoak.minMultiple ?? 1,
      },
    },
    soak: { loadTestTargets: input.soak?.loadTestTargets ?? [] },
    notices: input.notices && {
      from: input.notices.from,
      helpdesk: {
        name: input.notices.helpdesk.name,
        address: input.notices.helpdesk.address,
        phone: input.notices.helpdesk.phone,
      },
      warningDays: input.notices.warningDays ?? 14,
      reminderDays: input.notices.reminderDays ?? 1,
      digestTime: input.notices.digestTime ?? '07:00',
      templatesDir: input.notices.templatesDir && local(input.notices.templatesDir),
      smtp: {
        url: input.notices.smtp.url,
        user: input.notices.smtp.user,
        passwordFile: input.notices.smtp.passwordFile && local(input.notices.smtp.passwordFile),
        insecure: input.notices.smtp.insecure ?? false,
        ratePerMinute: input.notices.smtp.ratePerMinute ?? 600,
      },
    },
  };
}

/** Reads and validates DIR/tranche.yaml; every error names the file and the field. */
export function loadConfig(dir: string, env: Environment = processEnvironment()): ProgrammeConfig {
  const file = join(resolve(dir), CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TrancheError('usage', `${file} not found: run 'tranche init ${dir}' or give --programme DIR`);
  }
  return withDefaults(parseYamlDocument(text, file, schema), dirname(file), env);
}

/** The text of a new configuration file, documented in place. */
export function configTemplate(name: string, state: string | undefined): string {
  return [
    '# tranche programme configuration (docs/configuration.md).',
    '',
    '# Shown in reports and notices.',
    `name: ${JSON.stringify(name)}`,
    '',
    '# The state store: a SQLite file (relative to this directory) or a postgres:// URL.',
    '# TRANCHE_DB overrides it. Keep a PostgreSQL password in PGPASSWORD or ~/.pgpass, not here.',
    `state: ${JSON.stringify(state ?? 'state.sqlite')}`,
    '',
    '# The key that encrypts secrets at rest (mode 0600). TRANCHE_SECRET_KEY overrides it.',
    'secretKeyFile: secret.key',
    '',
    '# The calendar (docs/configuration.md#schedule): mailboxes (and optionally bytes) per day.',
    'schedule:',
    '  weekday: { mailboxes: 1000 }',
    '  weekend: { mailboxes: 0 }',
    '  blackoutDates: []',
    '  noticeDays: 14',
    '  keepOrganisationsWhole: false',
    '  seed: 1',
    '',
    '# Each mailbox around its day (times in UTC): pre-stage, daily deltas, cutover and final pass.',
    'lifecycle:',
    '  prestageDays: 3',
    "  deltaTime: '01:00'",
    "  cutoverTime: '18:00'",
    '  attempts: 5',
    '  connectionsPerMailbox: 2',
    '',
  ].join('\n');
}
