import type { CalendarDay } from '../../report/day-calendar.js';
import type { DailyThroughput } from '../../report/daily-throughput.js';
import type { Eta } from '../../report/eta.js';
import type { FailureGroup } from '../../report/failure-groups.js';
import type { MailboxDetail } from '../../report/mailbox-detail.js';
import type { MailboxNotice } from '../../report/mailbox-notices.js';
import type { MailboxLine, MailboxPage } from '../../report/mailbox-page.js';
import type { OrganisationRow, OrganisationSummary } from '../../report/organisation-summary.js';
import type { ProgrammeSummary } from '../../report/programme-summary.js';
import type { SkippedGroup } from '../../report/skipped-groups.js';
import type { Throughput } from '../../report/throughput.js';
import { arr, bool, int, map, nullable, num, obj, oneOf, str, type SchemaOf } from './json-schema.js';

// The report layer's types (src/report/) as JSON schemas, field for field: each is typed with the
// report type it describes, so a field added to or dropped from one and not the other fails to compile.

const failure = obj({ type: str, label: str, reason: nullable(str) });

export const failureGroup: SchemaOf<FailureGroup> = obj({
  type: str,
  label: str,
  count: int,
  reasons: arr(obj({ reason: str, count: int })),
  examples: arr(str),
});

export const skippedGroup: SchemaOf<SkippedGroup> = obj({
  kind: str,
  items: int,
  mailboxes: int,
  reasons: arr(obj({ reason: str, count: int })),
  examples: arr(str),
});

export const throughputSchema: SchemaOf<Throughput> = obj({
  mailboxesPerDay: nullable(num),
  doneInWindow: int,
  windowDays: num,
  messagesPerHour: nullable(num),
  bytesPerHour: nullable(num),
  windowHours: num,
});

export const etaSchema: SchemaOf<Eta> = obj({
  mailboxesLeft: int,
  bytesLeft: num,
  unplanned: int,
  calendarEnd: nullable(str),
  daysLeft: nullable(num),
  atCurrentPace: nullable(str),
});

export const programmeSummary: SchemaOf<ProgrammeSummary> = obj({
  programme: str,
  organisation: nullable(str),
  now: str,
  mailboxes: int,
  states: map(int),
  successRate: nullable(num),
  moved: obj({ whole: int, withSkipped: int }),
  failures: arr(failureGroup),
  copied: obj({ messages: num, bytes: num, calendarItems: num, contacts: num, skippedItems: int }),
  throughput: throughputSchema,
  eta: etaSchema,
  setAside: obj({ held: int, excluded: int }),
});

export const calendarDay: SchemaOf<CalendarDay> = obj({
  day: str,
  kind: oneOf('weekday', 'weekend'),
  blackout: bool,
  closed: bool,
  capacity: obj({ mailboxes: int, bytes: nullable(num) }),
  planned: int,
  plannedBytes: num,
  done: int,
  failed: int,
  inProgress: int,
  remaining: int,
  overCapacity: bool,
});

export const dailyThroughput: SchemaOf<DailyThroughput> = obj({
  day: str,
  mailboxesDone: int,
  messages: num,
  bytes: num,
});

export const organisationRow: SchemaOf<OrganisationRow> = obj({
  code: str,
  name: str,
  total: int,
  done: int,
  failed: int,
  nextDay: nullable(str),
});

export const organisationSummary: SchemaOf<OrganisationSummary> = obj({
  code: str,
  name: str,
  pilot: bool,
  adminContacts: arr(str),
  blackoutDates: arr(str),
  summary: programmeSummary,
  days: arr(calendarDay),
});

export const mailboxLine: SchemaOf<MailboxLine> = obj({
  address: str,
  organisation: nullable(str),
  state: str,
  batchDay: nullable(str),
  nextStep: nullable(str),
  nextDueAt: nullable(str),
  failureType: nullable(str),
  failureReason: nullable(str),
  sizeBytes: nullable(num),
  copiedBytes: num,
});

export const mailboxPage: SchemaOf<MailboxPage> = obj({ mailboxes: arr(mailboxLine), more: bool });

const side = obj({ endpoint: str, user: str, login: nullable(str), davLogin: nullable(str) });

const kindFigures = obj({ collections: nullable(num), items: nullable(num), copied: num });

export const mailboxDetail: SchemaOf<MailboxDetail> = obj({
  address: str,
  displayName: str,
  organisation: nullable(obj({ code: str, name: nullable(str) })),
  state: str,
  batchDay: nullable(str),
  toldDay: nullable(str),
  rescheduledFrom: nullable(str),
  heldReason: nullable(str),
  excludedReason: nullable(str),
  nextStep: nullable(str),
  nextDueAt: nullable(str),
  attempts: int,
  lease: nullable(obj({ owner: str, until: nullable(str) })),
  lastFailure: nullable(failure),
  waitingFor: nullable(str),
  source: side,
  target: side,
  notifyAddress: str,
  folderCount: nullable(int),
  messageCount: nullable(num),
  sizeBytes: nullable(num),
  copiedMessages: num,
  copiedBytes: num,
  stalledMs: num,
  kinds: obj({ mail: kindFigures, calendars: nullable(kindFigures), contacts: nullable(kindFigures) }),
  lastPassAt: nullable(str),
  doneAt: nullable(str),
  passes: arr(
    obj({
      kind: str,
      worker: str,
      startedAt: str,
      finishedAt: nullable(str),
      outcome: nullable(str),
      messages: num,
      bytes: num,
      calendarItems: num,
      contacts: num,
      skipped: int,
      error: nullable(failure),
    }),
  ),
  skipped: arr(obj({ kind: str, folder: str, uid: num, size: nullable(num), reason: str, recordedAt: str })),
  skippedTotal: int,
});

export const mailboxNotice: SchemaOf<MailboxNotice> = obj({
  kind: str,
  day: str,
  state: str,
  dueAt: str,
  sentAt: nullable(str),
  recipients: nullable(str),
  error: nullable(str),
});

export const soakStatusSchema = obj({
  required: nullable(obj({ withinDays: num, minMultiple: num })),
  endpoints: arr(
    obj({
      endpoint: str,
      gate: { type: 'string', enum: ['open', 'held', 'not-required'] },
      reason: str,
      last: nullable(
        obj({ go: bool, multiple: num, finishedAt: str, summary: str, reportDir: nullable(str) }),
      ),
    }),
  ),
});
