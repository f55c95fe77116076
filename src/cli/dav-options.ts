import type { Command } from 'commander';
import type { CollectionKind } from '../davstore/dav-store.js';
import type { DavEndpoint } from '../davstore/dav-endpoint.js';
import { davEndpointOf } from '../programme/endpoints/dav-login.js';
import type { HttpDavStore } from '../davstore/http-dav-store.js';
import type { DataKind } from '../copy/dav/collection-plan.js';
import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import { loginFromFlags, type EndpointFlags } from './endpoint-options.js';

/** The DAV flags of sync and verify, as commander hands them over. */
export interface DavFlags extends EndpointFlags {
  sourceDav?: string;
  targetDav?: string;
  only?: string;
}

const KINDS: DataKind[] = ['mail', 'calendars', 'contacts'];

/** Adds --source-dav, --target-dav and --only. */
export function addDavOptions(command: Command): Command {
  return command
    .option(
      '--source-dav <url>',
      "source CalDAV/CardDAV server or the user's collection home; '{user}' is the login user",
    )
    .option(
      '--target-dav <url>',
      "target CalDAV/CardDAV server or the user's collection home; '{user}' is the login user",
    )
    .option('--only <kinds>', 'what moves: mail,calendars,contacts (default: everything both sides have)');
}

/** What moves: --only, or every kind both sides were given. */
export function kindsToMove(flags: DavFlags): Set<DataKind> {
  const dav = flags.sourceDav !== undefined || flags.targetDav !== undefined;
  if (flags.only === undefined) {
    const kinds = new Set<DataKind>();
    if (flags.source !== undefined || flags.target !== undefined || !dav) kinds.add('mail');
    if (dav) {
      kinds.add('calendars');
      kinds.add('contacts');
    }
    return kinds;
  }
  const asked = flags.only.split(',').map((k) => k.trim());
  for (const k of asked) {
    if (!KINDS.includes(k as DataKind))
      throw new TrancheError('usage', `--only: unknown kind '${k}' (mail, calendars, contacts)`);
  }
  const kinds = new Set(asked as DataKind[]);
  if ((kinds.has('calendars') || kinds.has('contacts')) && (!flags.sourceDav || !flags.targetDav)) {
    throw new TrancheError('usage', '--only calendars/contacts needs --source-dav and --target-dav');
  }
  return kinds;
}

/** The DAV collection kinds among the kinds that move. */
export function collectionKinds(kinds: Set<DataKind>): CollectionKind[] {
  return [
    ...(kinds.has('calendars') ? ['calendar' as const] : []),
    ...(kinds.has('contacts') ? ['addressbook' as const] : []),
  ];
}

/** One side's DAV endpoint from the flags: the same user and password (or token) source as the mail side. */
export async function davEndpointFromFlags(flags: DavFlags, side: 'source' | 'target'): Promise<DavEndpoint> {
  const url = flags[side === 'source' ? 'sourceDav' : 'targetDav'];
  if (!url) throw new TrancheError('usage', `--${side}-dav is required`);
  return davEndpointOf(url, await loginFromFlags(flags, side), `--${side}-dav`);
}

/** Connects one DAV side, naming the side in any error. */
export async function openDavSide(
  endpoint: DavEndpoint,
  side: 'source' | 'target',
  concurrency: number,
): Promise<HttpDavStore> {
  try {
    // Loaded only when a DAV side is opened (its XML parser is ~5 MB a mail-only sync need not hold).
    const { HttpDavStore } = await import('../davstore/http-dav-store.js');
    return await HttpDavStore.connect(endpoint, { concurrency });
  } catch (error) {
    const typed = toTrancheError(error);
    throw new TrancheError(typed.type, `${side} DAV: ${typed.message}`, {
      cause: error,
      retryable: typed.retryable,
    });
  }
}

/** The key a DAV account pair keeps its checkpoints under. */
export function davAccountKey(source: DavEndpoint, target: DavEndpoint): string {
  return `dav:${source.url.host}${source.url.pathname}#${source.user} -> ${target.url.host}${target.url.pathname}#${target.user}`;
}
