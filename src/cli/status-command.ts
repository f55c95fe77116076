import { isFolderItem, withSkipped } from '../copy/sync-report.js';
import { Command, Option } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { openProgramme } from './open-programme.js';
import { dayCalendar, type CalendarDay } from '../report/day-calendar.js';
import { dayMailboxes, type DayMailboxPage } from '../report/day-mailboxes.js';
import {
  mailboxDetail,
  type KindFigures,
  type MailboxDetail,
  type MailboxKinds,
} from '../report/mailbox-detail.js';
import { MAILBOX_STATES, type MailboxState } from '../programme/lifecycle/mailbox-state.js';
import {
  organisationSummary,
  organisationTable,
  requireOrganisation,
  type OrganisationRow,
  type OrganisationSummary,
} from '../report/organisation-summary.js';
import { passTable } from '../report/pass-table.js';
import { programmeNow } from '../report/programme-now.js';
import { programmeSummary, type ProgrammeSummary } from '../report/programme-summary.js';
import { soakStatus, type SoakStatus } from '../soak/soak-status.js';
import { workerLoad, type WorkerLoad } from '../report/worker-load.js';
import { addProgrammeOption } from './programme-option.js';
import { parseDayOption, parseMomentOption } from './date-options.js';
import { formatBytes, formatCount } from './format.js';
import { WARNING_KINDS } from '../copy/sync-report.js';

interface StatusFlags {
  workers?: boolean;
  org?: string;
  orgs?: boolean;
  days?: boolean;
  day?: string;
  state?: MailboxState;
  limit: string;
  after?: string;
  now?: string;
  json?: boolean;
  programme: string;
}

/** An ISO timestamp as an operator reads it: 2027-03-04 12:00 (UTC). */
const moment = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));
/** A rate: whole above 100, one decimal below. */
const rate = (n: number): string => (n >= 100 ? formatCount(Math.round(n)) : String(Number(n.toFixed(1))));
const plural = (n: number, one: string, many = `${one}s`): string =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/** Rows of cells as aligned columns; columns flagged true are right-aligned (numbers). */
function table(head: string[], rows: string[][], right: boolean[]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The soak gate and last verdict of each target endpoint, a line each (none when nothing to say). */
export function formatSoakStatus(soak: SoakStatus): string[] {
  if (!soak.required && soak.endpoints.every((e) => e.last === null)) return [];
  const rule = soak.required
    ? `cutovers need a go at x${soak.required.minMultiple}+ within ${soak.required.withinDays} days`
    : 'not required';
  return [
    `soak        ${rule}`,
    ...soak.endpoints.map(
      (e) =>
        `  ${e.endpoint}: ${e.gate === 'held' ? 'HELD: ' : e.gate === 'open' ? 'open: ' : ''}${e.reason}${e.last?.reportDir ? ` (report in ${e.last.reportDir})` : ''}`,
    ),
  ];
}

/** The programme's (or an organisation's) figures as a few lines for an operator; also `tranche run`'s last words. */
export function formatProgrammeSummary(s: ProgrammeSummary): string {
  const states = Object.entries(s.states)
    .map(([state, n]) => `${formatCount(n)} ${state}`)
    .join(', ');
  const t = s.throughput;
  const e = s.eta;
  const lines = [
    `${s.programme}${s.organisation ? ` / ${s.organisation}` : ''}: status at ${moment(s.now)} (programme clock)`,
    `mailboxes   ${formatCount(s.mailboxes)}: ${states}`,
    `held        ${formatCount(s.setAside.held)}; excluded ${formatCount(s.setAside.excluded)} (never migrated, not counted above)`,
    `success     ${s.successRate === null ? '-' : `${(s.successRate * 100).toFixed(2)}%`} (${formatCount(s.states.done ?? 0)} done, ${formatCount(s.states.failed ?? 0)} failed)`,
    `moved       ${formatCount(s.moved.whole)} whole, ${formatCount(s.moved.withSkipped)} with skipped items`,
    `copied      ${plural(s.copied.messages, 'message')}, ${formatBytes(s.copied.bytes)}${s.copied.calendarItems + s.copied.contacts > 0 ? `; ${plural(s.copied.calendarItems, 'calendar item')}, ${plural(s.copied.contacts, 'contact')}` : ''}; ${plural(s.copied.skippedItems, 'item')} skipped`,
    t.mailboxesPerDay === null
      ? 'throughput  - (no pass has finished yet)'
      : `throughput  ${rate(t.mailboxesPerDay)} mailboxes/day (${formatCount(t.doneInWindow)} done in the last ${rate(t.windowDays)} days); ${rate(t.messagesPerHour ?? 0)} messages/hour, ${formatBytes(Math.round(t.bytesPerHour ?? 0))}/hour (last ${rate(t.windowHours)} h)`,
    `left        ${plural(e.mailboxesLeft, 'mailbox', 'mailboxes')}, ${formatBytes(e.bytesLeft)}${e.unplanned ? `; ${formatCount(e.unplanned)} not planned` : ''}`,
    `ETA         ${e.calendarEnd === null ? 'no day planned' : `calendar ends ${e.calendarEnd} (${e.daysLeft ? `in ${plural(e.daysLeft, 'day')}` : 'today, or overdue'})`}; at the current pace ${e.atCurrentPace ?? 'never (nothing done lately)'}`,
    `failures    ${plural(
      s.failures.reduce((n, f) => n + f.count, 0),
      'mailbox',
      'mailboxes',
    )}`,
  ];
  for (const f of s.failures) {
    const more = f.count > f.examples.length ? ', …' : '';
    lines.push(`  ${f.label} (${f.type}): ${formatCount(f.count)}, e.g. ${f.examples.join(', ')}${more}`);
    for (const r of f.reasons) lines.push(`    ${formatCount(r.count)}× ${r.reason || '(no words given)'}`);
  }
  return lines.join('\n');
}

function capacityCell(d: CalendarDay): string {
  const bytes = d.capacity.bytes === null || d.blackout ? '' : ` / ${formatBytes(d.capacity.bytes)}`;
  return `${formatCount(d.capacity.mailboxes)}${bytes}`;
}

/** The batch calendar as a table: one line per day. */
export function formatDayCalendar(days: CalendarDay[]): string {
  if (days.length === 0) return 'no mailbox has a day yet: run the planner';
  return table(
    ['day', 'kind', 'capacity', 'planned', 'size', 'done', 'failed', 'in progress', 'remaining'],
    days.map((d) => [
      d.day,
      [d.kind, d.blackout && 'blackout', d.overCapacity && 'over capacity'].filter(Boolean).join(', '),
      capacityCell(d),
      formatCount(d.planned),
      formatBytes(d.plannedBytes),
      formatCount(d.done),
      formatCount(d.failed),
      formatCount(d.inProgress),
      formatCount(d.remaining),
    ]),
    [false, false, true, true, true, true, true, true, true],
  );
}

function formatDay(day: CalendarDay, page: DayMailboxPage): string {
  const rows = page.mailboxes.map((m) => [
    m.address,
    m.organisation ?? '-',
    m.state,
    m.nextStep ? `${m.nextStep} ${moment(m.nextDueAt)}` : '-',
    m.sizeBytes === null ? '-' : formatBytes(m.sizeBytes),
    m.failureType ? `${m.failureType}: ${m.failureReason ?? ''}` : '',
  ]);
  const last = page.mailboxes.at(-1)?.address;
  return [
    formatDayCalendar([day]),
    '',
    rows.length === 0
      ? 'no mailbox listed'
      : table(['mailbox', 'org', 'state', 'next', 'size', 'failure'], rows, [
          false,
          false,
          false,
          false,
          true,
          false,
        ]),
    ...(page.more && last ? [`… more: add --after ${last}`] : []),
  ].join('\n');
}

/** Every organisation as a table. */
export function formatOrganisationTable(rows: OrganisationRow[]): string {
  if (rows.length === 0) return 'no organisations: import them with tranche import orgs';
  return table(
    ['code', 'name', 'total', 'done', 'failed', 'next day'],
    rows.map((r) => [
      r.code,
      r.name,
      formatCount(r.total),
      formatCount(r.done),
      formatCount(r.failed),
      r.nextDay ?? '-',
    ]),
    [false, false, true, true, true, false],
  );
}

/** One organisation: who, its figures and its days. */
export function formatOrganisationSummary(o: OrganisationSummary): string {
  return [
    `organisation ${o.code}: ${o.name}${o.pilot ? ' (pilot)' : ''}`,
    `contacts    ${o.adminContacts.join(', ') || '-'}`,
    `blackout    ${o.blackoutDates.join(', ') || '-'}`,
    formatProgrammeSummary(o.summary),
    '',
    formatDayCalendar(o.days),
  ].join('\n');
}

/** How a side's logins went: mail, and DAV when the mailbox moves calendars and contacts. */
function logins(side: MailboxDetail['source'], kinds: MailboxKinds): string {
  const mail = `login ${side.login ?? 'not checked'}`;
  return kinds.calendars ? `${mail}, DAV login ${side.davLogin ?? 'not checked'}` : mail;
}

/** Calendars and contacts, each as copied of what discovery found; nothing when the mailbox moves mail only. */
function kindLines(kinds: MailboxKinds): string[] {
  const line = (label: string, f: KindFigures, item: string, collection: string): string => {
    const found =
      f.items === null
        ? ' (not discovered yet)'
        : ` of ${plural(f.items, item)} in ${plural(f.collections ?? 0, collection)}`;
    return `${label}${formatCount(f.copied)} copied${found}`;
  };
  return [
    ...(kinds.calendars ? [line('calendars   ', kinds.calendars, 'item', 'calendar')] : []),
    ...(kinds.contacts ? [line('contacts    ', kinds.contacts, 'contact', 'address book')] : []),
  ];
}

/** One mailbox's move: where it stands, its passes and its skipped items. */
export function formatMailboxDetail(m: MailboxDetail): string {
  const passes = passTable(m.passes, { moment, count: formatCount, bytes: formatBytes });
  const day = m.batchDay
    ? `day ${m.batchDay}${m.toldDay ? `, told ${m.toldDay}` : ', not told yet'}${m.rescheduledFrom ? `, moved from ${m.rescheduledFrom} (rescheduled notice owed)` : ''}`
    : 'no day yet';
  const size = m.sizeBytes === null ? '' : ` of ${formatBytes(m.sizeBytes)}`;
  const lines = [
    `${m.address}${m.displayName ? ` (${m.displayName})` : ''}${m.organisation ? `, ${m.organisation.code} ${m.organisation.name ?? ''}`.trimEnd() : ''}`,
    `state       ${m.state === 'done' ? withSkipped(m.state, m.skippedTotal) : m.state}; ${day}`,
    `next        ${m.nextStep ? `${m.nextStep} due ${moment(m.nextDueAt)}` : '-'}; ${plural(m.attempts, 'failed attempt')}`,
    ...(m.lease ? [`lease       ${m.lease.owner} until ${moment(m.lease.until)}`] : []),
    ...(m.waitingFor ? [`waiting     ${m.waitingFor}`] : []),
    ...(m.lastFailure
      ? [`failure     ${m.lastFailure.label} (${m.lastFailure.type}): ${m.lastFailure.reason ?? ''}`]
      : []),
    `copied      ${plural(m.copiedMessages, 'message')}, ${formatBytes(m.copiedBytes)}${size}; last pass ${moment(m.lastPassAt)}${m.doneAt ? `; done ${moment(m.doneAt)}` : ''}${m.stalledMs > 0 ? `; held back ${Math.round(m.stalledMs / 60_000)} min by throttling` : ''}`,
    ...kindLines(m.kinds),
    `source      ${m.source.endpoint} / ${m.source.user} (${logins(m.source, m.kinds)})`,
    `target      ${m.target.endpoint} / ${m.target.user} (${logins(m.target, m.kinds)})`,
    `notify      ${m.notifyAddress}`,
    '',
    m.passes.length === 0 ? 'no pass yet' : table(passes.head, passes.rows, passes.numeric),
  ];
  if (m.skipped.length > 0) {
    lines.push(
      '',
      `${plural(m.skippedTotal, 'skipped item')}${m.skippedTotal + m.skipped.filter((s) => (WARNING_KINDS as readonly string[]).includes(s.kind)).length > m.skipped.length ? ` (first ${m.skipped.length})` : ''}:`,
      table(
        ['folder', 'uid', 'size', 'kind', 'reason'],
        m.skipped.map((s) => [
          s.folder,
          isFolderItem(s) || s.uid === 0 ? '-' : String(s.uid),
          s.size === null || isFolderItem(s) || s.uid === 0 ? '-' : formatBytes(s.size),
          s.kind,
          s.reason,
        ]),
        [false, true, true, false, false],
      ),
    );
  }
  return lines.join('\n');
}

/** The workers and the endpoints' load, for an operator. */
function formatWorkerLoad(w: WorkerLoad): string {
  const workers =
    w.workers.length === 0
      ? 'no runner or worker has worked on this programme in the last day'
      : table(
          ['worker', 'mode', 'state', 'heartbeat', 'holds', 'working on'],
          w.workers.map((x) => [
            `${x.host}:${x.pid}`,
            x.mode,
            x.alive
              ? x.leader
                ? 'alive, leading'
                : 'alive'
              : x.stoppedAt
                ? `stopped ${moment(x.stoppedAt)}`
                : 'gone',
            moment(x.heartbeatAt),
            `${x.working.length}/${x.maxMailboxes}`,
            x.working.map((m) => `${m.mailbox} (${m.step ?? '-'})`).join(', '),
          ]),
          [false, false, false, false, true, false],
        );
  const endpoints =
    w.endpoints.length === 0
      ? 'no endpoints yet (tranche endpoint add)'
      : table(
          ['endpoint', 'mailboxes', 'connections', 'bytes last hour', 'adaptive'],
          w.endpoints.map((e) => [
            e.endpoint,
            `${e.mailboxes}/${e.mailboxLimit}${e.mailboxLimit < e.maxMailboxes ? ` (of ${e.maxMailboxes})` : ''}`,
            `${e.connections}/${e.maxConnections}`,
            `${formatBytes(e.bytesLastHour)}${e.bytesPerHour === null ? '' : ` / ${formatBytes(e.bytesPerHour)}`}`,
            e.latencyThresholdMs === null ? '-' : `logins over ${e.latencyThresholdMs} ms`,
          ]),
          [false, true, true, true, false],
        );
  return `${workers}

${endpoints}

${plural(w.queued, 'step')} queued for a worker`;
}

/** The one view asked for; two views at once are a usage error. */
function viewOf(address: string | undefined, flags: StatusFlags): string {
  const views = [
    address !== undefined && 'ADDRESS',
    flags.workers && '--workers',
    flags.orgs && '--orgs',
    flags.days && '--days',
    flags.day !== undefined && '--day',
  ].filter((v): v is string => typeof v === 'string');
  if (views.length > 1) throw new TrancheError('usage', `give one of ${views.join(', ')}, not several`);
  if (address !== undefined && flags.org !== undefined)
    throw new TrancheError('usage', 'ADDRESS and --org go separately: a mailbox names its organisation');
  if (flags.orgs && flags.org !== undefined)
    throw new TrancheError('usage', '--orgs lists them all: drop --org');
  for (const [flag, set] of [
    ['--state', flags.state !== undefined],
    ['--after', flags.after !== undefined],
  ] as const)
    if (set && flags.day === undefined) throw new TrancheError('usage', `${flag} goes with --day`);
  return views[0] ?? (flags.org !== undefined ? '--org' : 'programme');
}

const HELP = `
Views (one at a time):
  tranche status               the programme: mailboxes by state, success rate (done / (done + failed)),
                               failures by type with the commonest reasons and example addresses,
                               messages and bytes copied, throughput, work left and ETA
  tranche status ADDRESS       one mailbox: organisation, state, day, told day, rescheduled-from day,
                               next step and when due, attempts, lease, last failure, copied messages
                               and bytes, calendar items and contacts (copied of those discovered)
                               when its endpoints carry a DAV address, every pass (kind, started,
                               finished, outcome, messages, bytes, calendar items, contacts, error)
                               and its skipped items
  tranche status --org CODE    one organisation: the programme's figures restricted to it, its
                               contacts, blackout dates and days
  tranche status --orgs        every organisation: code, name, total, done, failed, next day
  tranche status --days        the batch calendar: per day, weekday/weekend/blackout, capacity
                               (from tranche.yaml), planned, size, done, failed, in progress, remaining
                               (--org CODE: that organisation's mailboxes and blackout dates)
  tranche status --day DATE    one day's line and its mailboxes, a page at a time
                               (--org, --state, --limit, --after)
  tranche status --workers     the runners and workers (alive, leading, gone), the mailboxes each
                               holds now; each endpoint's mailboxes and connections in use against
                               its limits (lowered by adaptive concurrency), bytes of the last hour
                               against its budget; steps queued for a worker

Throughput and ETA are in programme time, the clock of the pass rows (a demo's clock may run days
per second): mailboxes done per day over the last 7 days, messages and bytes per hour over the
last 24 hours (a younger programme: since its first pass). ETA: the calendar's end (the latest day
of a mailbox not yet done or failed), the mailboxes and bytes left, and the day the work left would
end at the current pace. "Now" is --now, else the later of the machine's clock and the latest
finished pass.

Exit 0; an unknown mailbox, organisation or flag is a usage error (64).`;

/** `tranche status`: where the programme, an organisation, a day or one mailbox stands. */
export function statusCommand(): Command {
  const command = new Command('status')
    .description(
      'where the programme stands: counts by state, success rate, failures by reason, throughput, ETA; per organisation, per day, one mailbox',
    )
    .argument('[address]', 'show one mailbox')
    .option('--org <code>', "one organisation's figures and days (with --days or --day: restrict to it)")
    .option('--orgs', 'a table of every organisation')
    .option('--days', 'the batch calendar, one line per day')
    .option('--day <date>', "one day's line and its mailboxes")
    .option('--workers', 'the workers, what each is doing, and each endpoint’s load against its limits')
    .addOption(
      new Option('--state <state>', 'with --day: only mailboxes in this state').choices(MAILBOX_STATES),
    )
    .option('--limit <n>', 'with --day: mailboxes per page', '50')
    .option('--after <address>', 'with --day: the page after this address')
    .option('--now <time>', 'the moment on the programme clock (ISO time; default: see below)')
    .option('--json', 'print JSON')
    .addHelpText('after', HELP);
  addProgrammeOption(command);
  command.action(async (address: string | undefined, flags: StatusFlags) => {
    const view = viewOf(address, flags);
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new TrancheError('usage', '--limit must be a whole number above 0');
    const day = flags.day === undefined ? undefined : parseDayOption(flags.day, '--day');
    const given = flags.now === undefined ? undefined : parseMomentOption(flags.now, '--now');
    const programme = await openProgramme(flags.programme);
    const { db, config } = programme;
    try {
      if (flags.org !== undefined) await requireOrganisation(db, flags.org);
      const now = given ?? (await programmeNow(db));
      const print = <T>(data: T, text: (data: T) => string): void => {
        process.stdout.write(`${flags.json ? JSON.stringify(data, null, 2) : text(data)}\n`);
      };
      if (view === '--workers') print(await workerLoad(db, config, now), formatWorkerLoad);
      else if (view === 'ADDRESS') print(await mailboxDetail(db, address!), formatMailboxDetail);
      else if (view === '--orgs') print(await organisationTable(db), formatOrganisationTable);
      else if (view === '--days')
        print(await dayCalendar(db, config.schedule, { organisation: flags.org }), formatDayCalendar);
      else if (view === '--day') {
        const [line, page] = await Promise.all([
          dayCalendar(db, config.schedule, { organisation: flags.org, day }),
          dayMailboxes(db, day!, { organisation: flags.org, state: flags.state, after: flags.after, limit }),
        ]);
        print({ day: line[0]!, ...page }, (d) => formatDay(d.day, d));
      } else if (view === '--org')
        print(await organisationSummary(db, config, flags.org!, now), formatOrganisationSummary);
      else
        print({ ...(await programmeSummary(db, config, now)), soak: await soakStatus(db, config) }, (s) =>
          [formatProgrammeSummary(s), ...formatSoakStatus(s.soak)].join('\n'),
        );
    } finally {
      await db.destroy();
    }
  });
  return command;
}
