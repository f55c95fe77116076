import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import type { Database } from '../state/schema.js';
import { failureLabel } from '../programme/lifecycle/failure-labels.js';
import { WARNING_KINDS } from '../copy/sync-report.js';

/** Skipped items a mailbox's report lists; the total is given beside them. */
const SKIPPED_SHOWN = 100;

/** One copy pass of a mailbox. */
export interface PassDetail {
  kind: string;
  worker: string;
  startedAt: string;
  /** Null while the pass runs (or if its worker died; the lease then runs out). */
  finishedAt: string | null;
  /** ok, partial (items skipped) or failed; null while running. */
  outcome: string | null;
  messages: number;
  bytes: number;
  /** Calendar items and contacts the pass wrote (created or updated). */
  calendarItems: number;
  contacts: number;
  skipped: number;
  error: { type: string; label: string; reason: string | null } | null;
}

/** One kind of data of a mailbox: how much discovery found on the source, and how much passes wrote. */
export interface KindFigures {
  /** Folders, calendars or address books on the source, as discovered (null: not yet). */
  collections: number | null;
  /** Messages, calendar items or contacts on the source, as discovered (null: not yet). */
  items: number | null;
  /** Items written to the target so far, all passes (a changed item counts each time it moves). */
  copied: number;
}

/** What moves for a mailbox, per kind; calendars and contacts only when both its endpoints carry a DAV address. */
export interface MailboxKinds {
  mail: KindFigures;
  calendars: KindFigures | null;
  contacts: KindFigures | null;
}

/** A message or folder a pass could not copy (or a message the target altered: kind altered-by-target). */
export interface SkippedDetail {
  kind: string;
  folder: string;
  uid: number;
  size: number | null;
  reason: string;
  recordedAt: string;
}

/** Everything known about one mailbox's move, secrets left out. */
export interface MailboxDetail {
  address: string;
  displayName: string;
  organisation: { code: string; name: string | null } | null;
  state: string;
  /** The planned day, the day the user was told of, and a told day a re-plan moved away from. */
  batchDay: string | null;
  toldDay: string | null;
  rescheduledFrom: string | null;
  /** Why people held it or excluded it (`mailbox hold`, `mailbox exclude`); null when they did not. */
  heldReason: string | null;
  excludedReason: string | null;
  nextStep: string | null;
  nextDueAt: string | null;
  attempts: number;
  lease: { owner: string; until: string | null } | null;
  lastFailure: { type: string; label: string; reason: string | null } | null;
  /** What the mailbox waits for, in words (its target's daily upload allowance), null when nothing. */
  waitingFor: string | null;
  /** Each side's endpoint, user, and how its logins went (mail, and DAV when it has calendars and contacts). */
  source: { endpoint: string; user: string; login: string | null; davLogin: string | null };
  target: { endpoint: string; user: string; login: string | null; davLogin: string | null };
  notifyAddress: string;
  /** Folders, messages and bytes on the source, as discovered. */
  folderCount: number | null;
  messageCount: number | null;
  sizeBytes: number | null;
  copiedMessages: number;
  copiedBytes: number;
  /** Time spent waiting because a server throttled this mailbox (ms, programme clock). */
  stalledMs: number;
  /** Mail, calendars and contacts: found and copied. */
  kinds: MailboxKinds;
  lastPassAt: string | null;
  doneAt: string | null;
  passes: PassDetail[];
  /** The first skipped items (by folder and UID), and how many there are in all. */
  skipped: SkippedDetail[];
  skippedTotal: number;
}

const orNull = (n: string | number | null): number | null => (n === null ? null : Number(n));

/** The mailbox ADDRESS (any case); an address not in the programme is a usage error. */
export async function mailboxDetail(db: Kysely<Database>, address: string): Promise<MailboxDetail> {
  const wanted = address.trim().toLowerCase();
  // Named columns only: the sealed passwords are never read here.
  const m = await db
    .selectFrom('mailbox')
    .leftJoin('organisation', 'organisation.code', 'mailbox.organisation')
    .select([
      'mailbox.address',
      'mailbox.display_name',
      'mailbox.organisation',
      'organisation.name as organisation_name',
      'mailbox.state',
      'mailbox.batch_day',
      'mailbox.told_day',
      'mailbox.rescheduled_from',
      'mailbox.hold_reason',
      'mailbox.exclude_reason',
      'mailbox.next_step',
      'mailbox.next_due_at',
      'mailbox.attempts',
      'mailbox.lease_owner',
      'mailbox.lease_until',
      'mailbox.failure_type',
      'mailbox.failure_reason',
      'mailbox.waiting_for',
      'mailbox.source_endpoint',
      'mailbox.source_user',
      'mailbox.source_login',
      'mailbox.target_endpoint',
      'mailbox.target_user',
      'mailbox.target_login',
      'mailbox.notify_address',
      'mailbox.folder_count',
      'mailbox.message_count',
      'mailbox.size_bytes',
      'mailbox.copied_messages',
      'mailbox.copied_bytes',
      'mailbox.stalled_ms',
      'mailbox.last_pass_at',
      'mailbox.done_at',
      'mailbox.source_dav_login',
      'mailbox.target_dav_login',
      'mailbox.calendar_count',
      'mailbox.addressbook_count',
      'mailbox.calendar_item_count',
      'mailbox.contact_count',
      'mailbox.copied_calendar_items',
      'mailbox.copied_contacts',
    ])
    .where('mailbox.address', '=', wanted)
    .executeTakeFirst();
  if (!m) throw new TrancheError('usage', `no mailbox ${wanted} in this programme`);
  const [passes, skipped, skippedTotal, dav] = await Promise.all([
    db
      .selectFrom('pass')
      .select([
        'kind',
        'worker',
        'started_at',
        'finished_at',
        'outcome',
        'messages',
        'bytes',
        'calendar_items',
        'contacts',
        'skipped',
        'error_type',
        'error_reason',
      ])
      .where('mailbox', '=', m.address)
      .orderBy('started_at')
      .execute(),
    db
      .selectFrom('skipped_item')
      .select(['kind', 'folder', 'uid', 'size', 'reason', 'recorded_at'])
      .where('mailbox', '=', m.address)
      .orderBy('folder')
      .orderBy('uid')
      .limit(SKIPPED_SHOWN)
      .execute(),
    db
      .selectFrom('skipped_item')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('mailbox', '=', m.address)
      .where('kind', 'not in', WARNING_KINDS)
      .executeTakeFirstOrThrow(),
    // Calendars and contacts move when both endpoints carry a DAV address.
    db
      .selectFrom('endpoint')
      .select((eb) => eb.fn.count('dav_url').as('n'))
      .where('name', 'in', [m.source_endpoint, m.target_endpoint])
      .executeTakeFirstOrThrow(),
  ]);
  const hasDav = Number(dav.n) === (m.source_endpoint === m.target_endpoint ? 1 : 2);
  const failure = (type: string | null, reason: string | null) =>
    type === null && reason === null
      ? null
      : { type: type ?? 'unknown', label: failureLabel(type ?? 'unknown'), reason };
  return {
    address: m.address,
    displayName: m.display_name,
    organisation: m.organisation === null ? null : { code: m.organisation, name: m.organisation_name },
    state: m.state,
    batchDay: m.batch_day,
    toldDay: m.told_day,
    rescheduledFrom: m.rescheduled_from,
    heldReason: m.hold_reason,
    excludedReason: m.exclude_reason,
    nextStep: m.next_step,
    nextDueAt: m.next_due_at,
    attempts: Number(m.attempts),
    lease: m.lease_owner === null ? null : { owner: m.lease_owner, until: m.lease_until },
    lastFailure: failure(m.failure_type, m.failure_reason),
    waitingFor: m.waiting_for,
    source: {
      endpoint: m.source_endpoint,
      user: m.source_user,
      login: m.source_login,
      davLogin: m.source_dav_login,
    },
    target: {
      endpoint: m.target_endpoint,
      user: m.target_user,
      login: m.target_login,
      davLogin: m.target_dav_login,
    },
    notifyAddress: m.notify_address,
    folderCount: orNull(m.folder_count),
    messageCount: orNull(m.message_count),
    sizeBytes: orNull(m.size_bytes),
    copiedMessages: Number(m.copied_messages),
    copiedBytes: Number(m.copied_bytes),
    stalledMs: Number(m.stalled_ms),
    kinds: {
      mail: {
        collections: orNull(m.folder_count),
        items: orNull(m.message_count),
        copied: Number(m.copied_messages),
      },
      calendars: hasDav
        ? {
            collections: orNull(m.calendar_count),
            items: orNull(m.calendar_item_count),
            copied: Number(m.copied_calendar_items),
          }
        : null,
      contacts: hasDav
        ? {
            collections: orNull(m.addressbook_count),
            items: orNull(m.contact_count),
            copied: Number(m.copied_contacts),
          }
        : null,
    },
    lastPassAt: m.last_pass_at,
    doneAt: m.done_at,
    passes: passes.map((p) => ({
      kind: p.kind,
      worker: p.worker,
      startedAt: p.started_at,
      finishedAt: p.finished_at,
      outcome: p.outcome,
      messages: Number(p.messages),
      bytes: Number(p.bytes),
      calendarItems: Number(p.calendar_items),
      contacts: Number(p.contacts),
      skipped: Number(p.skipped),
      error: failure(p.error_type, p.error_reason),
    })),
    skipped: skipped.map((s) => ({
      kind: s.kind,
      folder: s.folder,
      uid: Number(s.uid),
      size: orNull(s.size),
      reason: s.reason,
      recordedAt: s.recorded_at,
    })),
    skippedTotal: Number(skippedTotal.n),
  };
}
