import type { Kysely, Selectable } from 'kysely';
import { toTrancheError } from '../../errors/tranche-error.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { MailStore } from '../../mailstore/mail-store.js';
import { openMailStore } from '../../mailstore/open-mail-store.js';
import type { StoreEndpoint } from '../../mailstore/store-login.js';
import type { Database, MailboxTable } from '../../state/schema.js';
import { loginFor } from '../endpoints/mailbox-login.js';

import { recordDiscovery } from '../../state/mailbox/record-discovery.js';
import type { EndpointTable } from '../../state/schema.js';
import { davEndpointFor, movesCalendars } from '../endpoints/dav-login.js';
import { probeDav, type DavSideFound } from './dav-probe.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';
import { oauthOutcomeOf, type OAuthOutcome } from './oauth-outcome.js';
import { Semaphore } from './semaphore.js';

/** How a password login went, in the words the report uses. */
type PasswordOutcome = 'ok' | 'bad-password' | 'disabled' | 'unreachable' | 'no-password' | 'error';

/** How a login went, in the words the report uses (oauth-outcome.ts for token logins). */
export type LoginOutcome = PasswordOutcome | OAuthOutcome;

/** Logins by outcome: every password outcome counted, OAuth2 outcomes only when they happened. */
export type LoginCounts = Record<PasswordOutcome, number> & Partial<Record<OAuthOutcome, number>>;

/** Totals of a discovery run. */
export interface DiscoverReport {
  mailboxes: number;
  source: LoginCounts;
  target: LoginCounts;
  messages: number;
  bytes: number;
  /** Mailboxes whose endpoints both carry a DAV address: their calendars and contacts move too. */
  davMailboxes: number;
  sourceDav: LoginCounts;
  targetDav: LoginCounts;
  /** Calendars, address books and their items on the sources' DAV sides. */
  calendars: number;
  addressbooks: number;
  calendarItems: number;
  contacts: number;
}

/** Mailboxes discovered at once, beside each endpoint's own connection cap. */
const PARALLEL_MAILBOXES = 16;
const PAGE = 1000;

const outcomes = (): LoginCounts => ({
  ok: 0,
  'bad-password': 0,
  disabled: 0,
  unreachable: 0,
  'no-password': 0,
  error: 0,
});

/** How a failed login is recorded, by the error's type. */
export function outcomeOf(error: unknown): LoginOutcome {
  const type = toTrancheError(error).type;
  if (type === 'auth' || type === 'authz-refused') return 'bad-password';
  if (type === 'account-disabled') return 'disabled';
  if (type === 'unreachable' || type === 'tls' || type === 'connection-lost') return 'unreachable';
  return 'error';
}

interface SideResult {
  outcome: LoginOutcome;
  detail: string | undefined;
  folders?: number;
  messages?: number;
  bytes?: number;
}

/** How one DAV side went: the login's outcome and, from the source, what is there. */
interface DavSideResult extends Omit<DavSideFound, 'error'> {
  outcome: LoginOutcome;
  detail: string | undefined;
}

/** Logs in to one DAV side as its mail side logs in; with COUNT, counts its collections and items. */
async function probeDavSide(
  endpoint: Selectable<EndpointTable>,
  login: StoreEndpoint | undefined,
  count: boolean,
): Promise<DavSideResult> {
  if (!login) return { outcome: 'no-password', detail: 'no password for this login' };
  let found: DavSideFound;
  try {
    found = await probeDav(davEndpointFor(endpoint, login)!, count);
  } catch (error) {
    found = { error };
  }
  const { error, ...counts } = found;
  if (error === undefined) return { outcome: 'ok', detail: undefined, ...counts };
  const outcome = oauthOutcomeOf(error, login.bearer !== undefined) ?? outcomeOf(error);
  return { outcome, detail: `DAV: ${toTrancheError(error).message}` };
}

async function probe(login: StoreEndpoint | undefined, countMail: boolean): Promise<SideResult> {
  if (!login) return { outcome: 'no-password', detail: 'no password for this login' };
  let store: MailStore | undefined;
  try {
    store = await openMailStore(login);
    if (!countMail) return { outcome: 'ok', detail: undefined };
    const folders = (await store.listFolders()).filter((f) => !f.noSelect);
    // STATUS commands are pipelined: one round trip for up to 64 folders.
    const statuses = [...(await store.folderSizes(folders.map((f) => f.path))).values()];
    return {
      outcome: 'ok',
      detail: undefined,
      folders: folders.length,
      messages: statuses.reduce((n, s) => n + s.messages, 0),
      bytes: statuses.every((s) => s.bytes !== undefined)
        ? statuses.reduce((n, s) => n + (s.bytes ?? 0), 0)
        : undefined,
    };
  } catch (error) {
    const outcome = oauthOutcomeOf(error, login.bearer !== undefined) ?? outcomeOf(error);
    return { outcome, detail: toTrancheError(error).message };
  } finally {
    await store?.close();
  }
}

/**
 * Logs in to source and target of every mailbox (of one organisation, when given), records the
 * outcome of each login by kind and, from the source, the folder and message counts and bytes.
 * Each endpoint sees at most its max_connections logins at once.
 */
export async function discover(
  db: Kysely<Database>,
  box: SecretBox,
  organisation?: string,
  logger: Logger = silentLogger(),
): Promise<DiscoverReport> {
  const endpoints = new Map((await db.selectFrom('endpoint').selectAll().execute()).map((e) => [e.name, e]));
  const limits = new Map([...endpoints.values()].map((e) => [e.name, new Semaphore(e.max_connections)]));
  const report: DiscoverReport = {
    mailboxes: 0,
    source: outcomes(),
    target: outcomes(),
    messages: 0,
    bytes: 0,
    davMailboxes: 0,
    sourceDav: outcomes(),
    targetDav: outcomes(),
    calendars: 0,
    addressbooks: 0,
    calendarItems: 0,
    contacts: 0,
  };
  const workers = new Semaphore(PARALLEL_MAILBOXES);
  const one = async (m: Selectable<MailboxTable>): Promise<void> => {
    const sourceEndpoint = endpoints.get(m.source_endpoint)!;
    const targetEndpoint = endpoints.get(m.target_endpoint)!;
    const sourceLogin = loginFor(sourceEndpoint, m.source_user, m.source_secret, box);
    const targetLogin = loginFor(targetEndpoint, m.target_user, m.target_secret, box);
    const sourceLimit = limits.get(sourceEndpoint.name)!;
    const targetLimit = limits.get(targetEndpoint.name)!;
    const dav = movesCalendars(sourceEndpoint, targetEndpoint);
    const [source, target, sourceDav, targetDav] = await Promise.all([
      sourceLimit.run(() => probe(sourceLogin, true)),
      targetLimit.run(() => probe(targetLogin, false)),
      dav ? sourceLimit.run(() => probeDavSide(sourceEndpoint, sourceLogin, true)) : undefined,
      dav ? targetLimit.run(() => probeDavSide(targetEndpoint, targetLogin, false)) : undefined,
    ]);
    report.mailboxes++;
    report.source[source.outcome] = (report.source[source.outcome] ?? 0) + 1;
    report.target[target.outcome] = (report.target[target.outcome] ?? 0) + 1;
    report.messages += source.messages ?? 0;
    report.bytes += source.bytes ?? 0;
    if (sourceDav && targetDav) {
      report.davMailboxes++;
      report.sourceDav[sourceDav.outcome] = (report.sourceDav[sourceDav.outcome] ?? 0) + 1;
      report.targetDav[targetDav.outcome] = (report.targetDav[targetDav.outcome] ?? 0) + 1;
      report.calendars += sourceDav.calendars ?? 0;
      report.addressbooks += sourceDav.addressbooks ?? 0;
      report.calendarItems += sourceDav.calendarItems ?? 0;
      report.contacts += sourceDav.contacts ?? 0;
    }
    const allOk = [source, target, sourceDav, targetDav].every((r) => !r || r.outcome === 'ok');
    logger.info(
      {
        mailbox: m.address,
        source: source.outcome,
        target: target.outcome,
        messages: source.messages,
        bytes: source.bytes,
        ...(sourceDav && targetDav
          ? {
              sourceDav: sourceDav.outcome,
              targetDav: targetDav.outcome,
              calendarItems: sourceDav.calendarItems,
              contacts: sourceDav.contacts,
            }
          : {}),
      },
      allOk
        ? 'discovered'
        : `discovered: ${source.detail ?? target.detail ?? sourceDav?.detail ?? targetDav?.detail ?? ''}`,
    );
    const detail = [
      source.detail && `source: ${source.detail}`,
      target.detail && `target: ${target.detail}`,
      sourceDav?.detail && `source ${sourceDav.detail}`,
      targetDav?.detail && `target ${targetDav.detail}`,
    ]
      .filter(Boolean)
      .join('; ');
    await recordDiscovery(db, m.address, {
      source_login: source.outcome,
      target_login: target.outcome,
      folder_count: source.folders ?? null,
      message_count: source.messages ?? null,
      size_bytes: source.bytes ?? null,
      discover_detail: detail || null,
      source_dav_login: sourceDav?.outcome ?? null,
      target_dav_login: targetDav?.outcome ?? null,
      calendar_count: sourceDav?.calendars ?? null,
      addressbook_count: sourceDav?.addressbooks ?? null,
      calendar_item_count: sourceDav?.calendarItems ?? null,
      contact_count: sourceDav?.contacts ?? null,
    });
  };
  // Paged by address, so a programme of millions is never read whole.
  for (let after = ''; ;) {
    let query = db
      .selectFrom('mailbox')
      .selectAll()
      .where('address', '>', after)
      .orderBy('address')
      .limit(PAGE);
    if (organisation) query = query.where('organisation', '=', organisation);
    const page = await query.execute();
    if (page.length === 0) break;
    await Promise.all(page.map((m) => workers.run(() => one(m))));
    after = page[page.length - 1]!.address;
  }
  return report;
}

/** A mailbox that can't be scheduled yet, and why. */
export interface Blocker {
  address: string;
  organisation: string | null;
  reason: string;
}

/** The login columns discovery fills. */
export interface Logins {
  source_login: string | null;
  target_login: string | null;
  /** The DAV logins (null: no calendars and contacts to move, so nothing to block). */
  source_dav_login: string | null;
  target_dav_login: string | null;
  discover_detail: string | null;
}

/**
 * Why a mailbox can't be scheduled, or undefined when its logins work: one rule and one wording for
 * schedulingBlockers() and the planner.
 */
export function blockerReason(m: Logins): string | undefined {
  if (m.source_login === null) return 'not discovered yet';
  // As in SQL there: a target login not recorded (NULL) does not block.
  const targetBad = m.target_login !== null && m.target_login !== 'ok';
  const sourceDavBad = m.source_dav_login !== null && m.source_dav_login !== 'ok';
  const targetDavBad = m.target_dav_login !== null && m.target_dav_login !== 'ok';
  if (m.source_login === 'ok' && !targetBad && !sourceDavBad && !targetDavBad) return undefined;
  return (
    [
      m.source_login !== 'ok' && `source login: ${m.source_login}`,
      targetBad && `target login: ${m.target_login}`,
      sourceDavBad && `source DAV login: ${m.source_dav_login}`,
      targetDavBad && `target DAV login: ${m.target_dav_login}`,
    ]
      .filter(Boolean)
      .join(', ') + (m.discover_detail ? ` (${m.discover_detail})` : '')
  );
}

/** Mailboxes whose discovery is missing or found a login that does not work. */
export async function schedulingBlockers(db: Kysely<Database>, organisation?: string): Promise<Blocker[]> {
  let query = db
    .selectFrom('mailbox')
    .select([
      'address',
      'organisation',
      'source_login',
      'target_login',
      'source_dav_login',
      'target_dav_login',
      'discover_detail',
    ])
    .where((eb) =>
      eb.or([
        eb('source_login', 'is', null),
        eb('source_login', '!=', 'ok'),
        eb('target_login', '!=', 'ok'),
        eb('source_dav_login', '!=', 'ok'),
        eb('target_dav_login', '!=', 'ok'),
      ]),
    )
    .orderBy('address');
  if (organisation) query = query.where('organisation', '=', organisation);
  return (await query.execute()).map((m) => ({
    address: m.address,
    organisation: m.organisation,
    reason: blockerReason(m) ?? '',
  }));
}
