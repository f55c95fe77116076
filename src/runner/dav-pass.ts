import type { Selectable } from 'kysely';
import type { DavSyncReport } from '../copy/dav/dav-sync-report.js';
import { DEFAULT_DAV_SYNC, syncDavAccount } from '../copy/dav/sync-dav-account.js';
import { verifyDavAccount } from '../copy/dav/verify-dav.js';
import type { DavEndpoint } from '../davstore/dav-endpoint.js';
import type { CollectionKind } from '../davstore/dav-store.js';
import { HttpDavStore } from '../davstore/http-dav-store.js';
import { TrancheError, toTrancheError, type ErrorType } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import { davEndpointFor, movesCalendars } from '../programme/endpoints/dav-login.js';
import { loginFor } from '../programme/endpoints/mailbox-login.js';
import { DavCheckpoints } from '../state/dav-checkpoints.js';
import type { Database, EndpointTable, MailboxTable } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import type { Kysely } from 'kysely';
import { SideError } from './side-error.js';
import type { Side } from './step-outcome.js';

/** Calendars and address books: every pass moves both kinds. */
const KINDS: CollectionKind[] = ['calendar', 'addressbook'];

/** What the DAV part of a pass needs from its step. */
export interface DavPassInput {
  db: Kysely<Database>;
  box: SecretBox;
  endpoints: ReadonlyMap<string, Selectable<EndpointTable>>;
  mailbox: Selectable<MailboxTable>;
  /** Requests in flight at once on each side. */
  concurrency: number;
  /** The final pass: verify every calendar and address book by content after the copy. */
  verify: boolean;
  logger: Logger;
  signal: AbortSignal;
}

/** One side's DAV endpoint, logging in as its mail side does; a missing password fails the side. */
function davSide(input: DavPassInput, side: Side): DavEndpoint {
  const m = input.mailbox;
  const endpoint = input.endpoints.get(side === 'source' ? m.source_endpoint : m.target_endpoint)!;
  const user = side === 'source' ? m.source_user : m.target_user;
  try {
    const login = loginFor(endpoint, user, side === 'source' ? m.source_secret : m.target_secret, input.box);
    const dav = davEndpointFor(endpoint, login);
    if (!dav) throw new TrancheError('auth', `no password for ${user}`);
    return dav;
  } catch (error) {
    throw new SideError(side, toTrancheError(error), { dav: true });
  }
}

async function openSide(endpoint: DavEndpoint, side: Side, concurrency: number): Promise<HttpDavStore> {
  try {
    return await HttpDavStore.connect(endpoint, { concurrency });
  } catch (error) {
    throw new SideError(side, toTrancheError(error), { dav: true });
  }
}

/** Whether this mailbox moves calendars and contacts: both its endpoints carry a DAV address. */
export function hasDav(
  endpoints: ReadonlyMap<string, Selectable<EndpointTable>>,
  mailbox: Selectable<MailboxTable>,
): boolean {
  const source = endpoints.get(mailbox.source_endpoint);
  const target = endpoints.get(mailbox.target_endpoint);
  return source !== undefined && target !== undefined && movesCalendars(source, target);
}

/** A DAV report's error as the typed error the step decides on (its retryable as the type says). */
function reportError(error: NonNullable<DavSyncReport['error']>): TrancheError {
  return new TrancheError(error.type as ErrorType, `calendars and contacts: ${error.message}`);
}

/**
 * The calendars and contacts of one pass: every calendar and address book copied exactly once
 * (checkpoints per collection under the mailbox's key), then, on the final pass, compared by
 * content. Throws what fails the step, as the mail part does; items skipped are in the report.
 */
export async function runDavPass(input: DavPassInput): Promise<DavSyncReport> {
  const sourceEndpoint = davSide(input, 'source');
  const targetEndpoint = davSide(input, 'target');
  const source = await openSide(sourceEndpoint, 'source', input.concurrency);
  try {
    const target = await openSide(targetEndpoint, 'target', input.concurrency);
    try {
      const report = await syncDavAccount({
        accountKey: `dav-mailbox:${input.mailbox.address}`,
        source,
        target,
        kinds: KINDS,
        checkpoints: new DavCheckpoints(input.db),
        options: { ...DEFAULT_DAV_SYNC, concurrency: input.concurrency },
        logger: input.logger.child({ part: 'dav' }),
        signal: input.signal,
      });
      if (report.error) throw new DavPassError(reportError(report.error), report);
      if (input.verify) {
        const differences = await davDifferences(source, target, report);
        if (differences.length > 0) {
          throw new DavPassError(
            new TrancheError(
              'verify',
              `calendars and contacts: verify found ${differences.length} difference(s), e.g. ${differences[0]}`,
            ),
            report,
          );
        }
      }
      return report;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** The differences verify finds, leaving out the items the pass skipped (they are reported by name). */
async function davDifferences(
  source: HttpDavStore,
  target: HttpDavStore,
  report: DavSyncReport,
): Promise<string[]> {
  const verify = await verifyDavAccount(source, target, KINDS);
  const skipped = new Set(report.skipped.map((s) => `${s.collection} ${s.uid}`));
  return verify.collections.flatMap((c) =>
    c.differences
      .filter((d) => {
        const key = /^(?:missing on the target|content differs): (.*)$/.exec(d)?.[1];
        return key === undefined || !skipped.has(`${c.source} ${key}`);
      })
      .map((d) => `${c.source}: ${d}`),
  );
}

/** A DAV failure with what the pass did before it, so the pass record keeps its counts. */
export class DavPassError extends TrancheError {
  readonly report: DavSyncReport;

  constructor(error: TrancheError, report: DavSyncReport) {
    super(error.type, error.message, { retryable: error.retryable, retryAfterMs: error.retryAfterMs });
    this.report = report;
  }
}
