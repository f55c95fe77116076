import type { Generated } from 'kysely';
import type { LifecycleStep, MailboxState } from './mailbox/mailbox-states.js';

/** One row per (mailbox, source folder): the copy engine's checkpoint. */
export interface SyncFolderTable {
  mailbox_key: string;
  source_folder: string;
  target_folder: string;
  source_uid_validity: number;
  target_uid_validity: number;
  highest_modseq: string | null;
  uid_map: Uint8Array;
  pending: string | null;
  /** Source UIDs found unreadable by an earlier pass, as a JSON array (tried once more on their own). */
  unreadable: string | null;
  /** The source's UIDNEXT after the last finished pass, lowered to its first message not copied (0024). */
  source_uid_next: number | null;
  /** The source's message count after the last finished pass that brought deletions across (0025). */
  source_messages_after_deletes: number | null;
  /** Keywords the target folder does not keep, as a JSON array. */
  keywords_not_kept: string | null;
  updated_at: Generated<string>;
}

/** One row per (account pair, source collection): the DAV copy's checkpoint. */
export interface DavCollectionTable {
  account_key: string;
  source_collection: string;
  target_collection: string;
  kind: string;
  sync_token: string | null;
  item_map: Uint8Array;
  /** JSON array of source item names to try again. */
  retry: string | null;
  updated_at: Generated<string>;
}

/** A source or target server of a programme. */
export interface EndpointTable {
  name: string;
  url: string;
  insecure: number;
  allow_plaintext: number;
  admin: string | null;
  login_template: string | null;
  /** The admin's password, sealed by SecretBox. */
  admin_secret: string | null;
  max_connections: number;
  max_mailboxes: number;
  bytes_per_hour: string | number | null;
  max_message_size: string | number | null;
  created_at: Generated<string>;
  latency_threshold_ms: number | null;
  concurrency: number | null;
  concurrency_at: string | null;
  budget_tokens: number | null;
  budget_at: string | null;
  /** The OAuth2 token source as configured (JSON, no secret); null: password logins. */
  token_source: string | null;
  /** The token source's client secret, private key or service account key, sealed by SecretBox. */
  token_secret: string | null;
  /** 'xoauth2' or 'oauthbearer' with a token source. */
  auth_mechanism: string | null;
  /** The service profile: 'exchange-online', 'gmail', or null. */
  profile: string | null;
  /** Bytes each mailbox may receive per day window (Gmail's upload allowance), or null. */
  bytes_per_mailbox_per_day: string | number | null;
  /** Why no new step starts against the server; null when it is not paused. */
  pause_reason: string | null;
  /** 1 when its running steps stop at a safe point too (`endpoint pause --now`). */
  pause_now: Generated<number>;
  /** The CalDAV/CardDAV address of the endpoint's users ('{user}' in it); null: mail only. */
  dav_url: string | null;
}

/** A day people closed or gave another capacity than the schedule's. */
export interface ProgrammeDayTable {
  day: string;
  /** 1: the day takes nobody more. */
  closed: Generated<number>;
  mailboxes: number | null;
  bytes: string | number | null;
  reason: string | null;
}

/** One change people made to the programme: who, what, when, why, and what it changed. */
export interface AuditTable {
  id: string;
  /** When (ISO, real time). */
  at: string;
  /** Who: the operating-system user, or the API token's name and role. */
  actor: string;
  /** What: mailbox.hold, org.move, endpoint.pause, import.mailboxes, plan, … */
  action: string;
  /** What it was done to: a mailbox address, an organisation code, an endpoint name, a day. */
  subject: string;
  /** The subject's organisation, for an organisation's trail. */
  organisation: string | null;
  reason: string | null;
  /** The subject before and after, as JSON. */
  before: string | null;
  after: string | null;
}

/** A member organisation of a programme. */
export interface OrganisationTable {
  code: string;
  name: string;
  /** Admin contact addresses, separated by ';'. */
  admin_contacts: Generated<string>;
  pilot: Generated<number>;
  /** ISO dates, separated by ';'. */
  blackout_dates: Generated<string>;
  updated_at: Generated<string>;
}

/** One mailbox to move: where it is, where it goes, whom to tell. */
export interface MailboxTable {
  address: string;
  organisation: string | null;
  display_name: Generated<string>;
  source_endpoint: string;
  source_user: string;
  /** The source login's password, sealed; null when the endpoint's admin logs in. */
  source_secret: string | null;
  target_endpoint: string;
  target_user: string;
  target_secret: string | null;
  notify_address: string;
  state: Generated<MailboxState>;
  updated_at: Generated<string>;
  folder_count: number | null;
  message_count: string | number | null;
  size_bytes: string | number | null;
  /** ok, bad-password, disabled, unreachable, no-password or error; null until discovered. */
  source_login: string | null;
  target_login: string | null;
  /** The servers' words for a failed login, for people. */
  discover_detail: string | null;
  discovered_at: string | null;
  /** The planned day of the move (ISO date), null while unplanned. */
  batch_day: string | null;
  /** The day the user was last told (the warning), null until told; a re-plan keeps it unless forced. */
  told_day: string | null;
  /** A told day that a forced re-plan moved away from: a rescheduled notice is owed. */
  rescheduled_from: string | null;
  /** The lifecycle step due next: prestage, delta, final (null when there is none). */
  next_step: LifecycleStep | null;
  /** When next_step is due (ISO timestamp, programme clock). */
  next_due_at: string | null;
  /** Consecutive failed attempts at next_step. */
  attempts: Generated<number>;
  /** Which runner holds the mailbox, and until when (a crashed holder's lease runs out). */
  lease_owner: string | null;
  lease_until: string | null;
  /** The last failure: a TrancheError type and the reason in words. */
  failure_type: string | null;
  failure_reason: string | null;
  last_pass_at: string | null;
  done_at: string | null;
  copied_messages: Generated<string | number>;
  copied_bytes: Generated<string | number>;
  /** Time spent waiting because a server throttled this mailbox (ms, programme clock). */
  stalled_ms: Generated<string | number>;
  /** Why the mailbox is held (no day, no step, no notice until released); null when not held. */
  hold_reason: string | null;
  /** Why the mailbox is never to be migrated; null when it is in the programme. */
  exclude_reason: string | null;
  /** The day people pinned it to: the planner keeps it there, even over capacity. */
  pinned_day: string | null;
  /** When the mailbox's current day window of its target's upload allowance began (ISO), null before any. */
  allowance_from: string | null;
  /** Bytes copied into the target in that window. */
  allowance_bytes: Generated<string | number>;
  /** What the mailbox waits for, in words (the next day's upload allowance), null when nothing. */
  waiting_for: string | null;
  /** How each side's DAV login went at discovery (null: no DAV address, or not discovered). */
  source_dav_login: string | null;
  target_dav_login: string | null;
  /** Calendars, address books and their items on the source's DAV side, as discovered. */
  calendar_count: number | null;
  addressbook_count: number | null;
  calendar_item_count: string | number | null;
  contact_count: string | number | null;
  /** Calendar items and contacts written so far (created or updated), all passes. */
  copied_calendar_items: Generated<string | number>;
  copied_contacts: Generated<string | number>;
}

/** One copy pass over a mailbox: pre-stage, delta or final (with verify). */
export interface PassTable {
  id: string;
  mailbox: string;
  kind: string;
  worker: string;
  started_at: string;
  finished_at: string | null;
  /** ok, partial (items skipped) or failed. */
  outcome: string | null;
  messages: Generated<string | number>;
  bytes: Generated<string | number>;
  skipped: Generated<number>;
  error_type: string | null;
  error_reason: string | null;
  /** The endpoints the pass copied from and to (null on rows written before they were recorded). */
  source_endpoint: string | null;
  target_endpoint: string | null;
  /** Calendar items and contacts the pass wrote (created or updated). */
  calendar_items: Generated<string | number>;
  contacts: Generated<string | number>;
}

/** A message a pass could not copy (e.g. too large for the target), for the mailbox's report. */
export interface SkippedItemTable {
  mailbox: string;
  /** What kind of item (copy/sync-report.ts SkippedKind); uid 0 names a whole folder. */
  kind: Generated<string>;
  folder: string;
  uid: string | number;
  size: string | number | null;
  reason: string;
  recorded_at: string;
}

/** A notice in the ledger: sent once per (subject, kind, day). */
export interface NoticeTable {
  /** A mailbox address, or 'org:CODE' for an organisation's digest. */
  subject: string;
  /** warning, reminder, success, failure, rescheduled or digest. */
  kind: string;
  /** The batch day it is about (the digest's date for a digest). */
  day: string;
  organisation: string | null;
  /** pending, sending, sent, failed (gave up) or cancelled (no longer true: moved, removed). */
  state: Generated<string>;
  /** When it may go (ISO timestamp, programme clock); also the next retry. */
  due_at: string;
  attempts: Generated<number>;
  /** While being sent: who holds it, and until when (real time). */
  lease_owner: string | null;
  lease_until: string | null;
  /** Deterministic, so a rare repeat after a crash can be recognised; set when first sent. */
  message_id: string | null;
  /** Where it went, for the helpdesk: addresses separated by ', '. */
  recipients: string | null;
  sent_at: string | null;
  error: string | null;
  created_at: string;
}

/** A token for `tranche serve`: who may read what. The token itself is never stored, only its SHA-256. */
export interface ApiTokenTable {
  id: string;
  /** A label for people: who or what holds the token. */
  name: string;
  /** admin, org-admin, helpdesk or metrics. */
  role: string;
  /** For org-admin: the organisation codes it may see, separated by ';'. */
  organisations: Generated<string>;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A dashboard login: the cookie's SHA-256, the token it was opened with, and its end. */
export interface ApiSessionTable {
  id_hash: string;
  token_id: string;
  created_at: string;
  expires_at: string;
}

/** A runner or worker process sharing the programme; alive while its heartbeat is fresh. */
export interface WorkerTable {
  id: string;
  host: string;
  pid: number;
  /** run (embedded, one process) or worker (PostgreSQL, with the job queue). */
  mode: string;
  max_mailboxes: number;
  started_at: string;
  heartbeat_at: string;
  /** How often it beats; three beats missed and it is taken as gone. */
  heartbeat_ms: number;
  stopped_at: string | null;
  /** Set while this worker carries the scheduling duties. */
  leader_since: string | null;
}

/** One soak run against a programme endpoint: its verdict and headline, for the cutover gate. */
export interface SoakRunTable {
  id: string;
  endpoint: string;
  /** The URL loaded (scheme, host, port). */
  target: string;
  started_at: string;
  finished_at: string;
  /** The top multiple of the live load reached (the last ramp step). */
  multiple: number;
  users: number;
  live_users: number;
  /** 1 for a go, 0 for a no-go. */
  go: number;
  /** The verdict's one line. */
  summary: string;
  /** The failing thresholds, as JSON: [{threshold, where, observed}]. */
  failures: string;
  /** Where the HTML and JSON report were written, if anywhere. */
  report_dir: string | null;
}

/** The state store's tables, as Kysely sees them. */
export interface Database {
  sync_folder: SyncFolderTable;
  dav_collection: DavCollectionTable;
  endpoint: EndpointTable;
  organisation: OrganisationTable;
  mailbox: MailboxTable;
  pass: PassTable;
  skipped_item: SkippedItemTable;
  notice: NoticeTable;
  worker: WorkerTable;
  api_token: ApiTokenTable;
  api_session: ApiSessionTable;
  programme_day: ProgrammeDayTable;
  audit: AuditTable;
  soak_run: SoakRunTable;
}
