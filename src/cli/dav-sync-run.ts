import type { Kysely } from 'kysely';
import type { DataKind } from '../copy/dav/collection-plan.js';
import type { DavSyncReport } from '../copy/dav/dav-sync-report.js';
import { DEFAULT_DAV_SYNC, syncDavAccount } from '../copy/dav/sync-dav-account.js';
import { verifyDavAccount, type DavVerifyReport } from '../copy/dav/verify-dav.js';
import type { Logger } from '../log/logger.js';
import { DavCheckpoints } from '../state/dav-checkpoints.js';
import type { Database } from '../state/schema.js';
import {
  collectionKinds,
  davAccountKey,
  davEndpointFromFlags,
  openDavSide,
  type DavFlags,
} from './dav-options.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { formatBytes, formatCount } from './format.js';

/** The calendars and contacts part of `tranche sync`. */
export async function runDavSync(
  flags: DavFlags & { propagateDeletes?: boolean },
  kinds: Set<DataKind>,
  db: Kysely<Database>,
  logger: Logger,
  concurrency: number,
  signal: AbortSignal,
): Promise<DavSyncReport> {
  const sourceEndpoint = await davEndpointFromFlags(flags, 'source');
  const targetEndpoint = await davEndpointFromFlags(flags, 'target');
  const source = await openDavSide(sourceEndpoint, 'source', concurrency);
  try {
    const target = await openDavSide(targetEndpoint, 'target', concurrency);
    try {
      return await syncDavAccount({
        accountKey: davAccountKey(sourceEndpoint, targetEndpoint),
        source,
        target,
        kinds: collectionKinds(kinds),
        checkpoints: new DavCheckpoints(db),
        options: { ...DEFAULT_DAV_SYNC, concurrency, propagateDeletes: flags.propagateDeletes ?? false },
        logger,
        signal,
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** The calendars and contacts part of `tranche verify`. */
export async function runDavVerify(flags: DavFlags, kinds: Set<DataKind>): Promise<DavVerifyReport> {
  const source = await openDavSide(await davEndpointFromFlags(flags, 'source'), 'source', 8);
  try {
    const target = await openDavSide(await davEndpointFromFlags(flags, 'target'), 'target', 8);
    try {
      return await verifyDavAccount(source, target, collectionKinds(kinds));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** The text summary of the DAV part of a sync. */
export function formatDavSyncReport(report: DavSyncReport): string {
  const line = (label: string, t: DavSyncReport['totals']['calendar']): string =>
    `  ${label} ${t.collections} collection(s), ${formatCount(t.items)} items: ${formatCount(t.copied)} copied (${formatBytes(t.bytes)}), ${formatCount(t.updated)} updated, ${formatCount(t.matched)} found already on target, ${formatCount(t.deleted)} deleted`;
  const lines = [
    `tranche sync (calendars and contacts): ${report.status === 'done-with-skipped' ? `done with ${report.skipped.length} skipped item${report.skipped.length === 1 ? '' : 's'}` : report.status}`,
    line('calendars:', report.totals.calendar),
    line('contacts: ', report.totals.addressbook),
  ];
  if (report.skipped.length > 0) {
    lines.push(`  skipped:  ${report.skipped.length}`);
    for (const s of report.skipped)
      lines.push(`    ${s.collection} UID ${s.uid} (${formatBytes(s.size)}): ${s.reason}`);
  }
  if (report.error) lines.push(`  error:    ${report.error.message}`);
  return lines.join('\n');
}

/** The text of the DAV part of a verify. */
export function formatDavVerifyReport(report: DavVerifyReport): string {
  const lines: string[] = [];
  for (const c of report.collections) {
    if (c.differences.length === 0) continue;
    lines.push(`${c.source} -> ${c.target ?? '(none)'}:`);
    for (const d of c.differences.slice(0, 20)) lines.push(`  ${d}`);
    if (c.differences.length > 20) lines.push(`  … and ${c.differences.length - 20} more`);
  }
  const items = report.collections.reduce((n, c) => n + c.sourceItems, 0);
  lines.push(
    `tranche verify (calendars and contacts): ${report.identical ? 'identical' : `${report.collections.filter((c) => c.differences.length > 0).length} collection(s) differ`} (${report.collections.length} collections, ${items} source items)`,
  );
  return lines.join('\n');
}

/** The exit code of a DAV sync report, as for mail. */
export function davExitCode(report: DavSyncReport): number {
  if (report.status === 'done') return EXIT.ok;
  if (report.status === 'done-with-skipped') return EXIT.partial;
  return exitCodeFor((report.error?.type ?? 'internal') as never);
}

/** The worse of two exit codes (ok < partial < anything else). */
export function worseExit(a: number, b: number): number {
  const rank = (c: number): number => (c === EXIT.ok ? 0 : c === EXIT.partial ? 1 : 2);
  return rank(b) > rank(a) ? b : a;
}
