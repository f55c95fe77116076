import type { Logger } from '../../log/logger.js';
import { toTrancheError } from '../../errors/tranche-error.js';
import type { CollectionKind, DavCollection, DavStore } from '../../davstore/dav-store.js';
import type { DavCheckpointStore, DavCollectionCheckpoint } from './dav-checkpoint.js';
import { findTargetCollection, propertiesDiffer, propertiesOf } from './collection-plan.js';
import type { DavCollectionReport, DavSyncReport } from './dav-sync-report.js';
import { totalsOf } from './dav-sync-report.js';
import { ItemMap } from './item-map.js';
import { syncDavCollection, type DavCollectionOptions } from './sync-dav-collection.js';

/** Defaults of a DAV sync. */
export const DEFAULT_DAV_SYNC: DavCollectionOptions = {
  propagateDeletes: false,
  concurrency: 8,
  checkpointEvery: 100,
};

/** What a DAV sync of one account needs. */
export interface DavSyncInput {
  /** The key checkpoints are kept under (the pair of accounts). */
  accountKey: string;
  source: DavStore;
  target: DavStore;
  /** Which collection kinds move. */
  kinds: CollectionKind[];
  checkpoints: DavCheckpointStore;
  options: DavCollectionOptions;
  logger: Logger;
  onCollection?: (report: DavCollectionReport) => void;
  signal?: AbortSignal;
}

function newReport(kind: CollectionKind, source: string, target: string): DavCollectionReport {
  return {
    kind,
    source,
    target,
    created: false,
    listing: 'full',
    sourceItems: 0,
    copied: 0,
    updated: 0,
    matched: 0,
    deleted: 0,
    bytes: 0,
    skipped: [],
  };
}

/** Every calendar and address book of one account, source to target: collections created with their properties, items exactly once. */
export async function syncDavAccount(input: DavSyncInput): Promise<DavSyncReport> {
  const started = Date.now();
  const reports: DavCollectionReport[] = [];
  let error: DavSyncReport['error'] = null;
  try {
    const sources = (await input.source.listCollections()).filter((c) => input.kinds.includes(c.kind));
    const targets = await input.target.listCollections();
    for (const source of sources) {
      input.signal?.throwIfAborted();
      try {
        reports.push(await syncOne(input, source, targets));
      } catch (caught) {
        const typed = toTrancheError(caught);
        input.logger.warn({ collection: source.href, type: typed.type }, 'collection failed');
        error ??= { type: typed.type, message: `${source.href}: ${typed.message}` };
        if (input.signal?.aborted || typed.type === 'auth' || typed.type === 'unreachable') break;
      }
    }
  } catch (caught) {
    const typed = toTrancheError(caught);
    error = { type: typed.type, message: typed.message };
  }
  const skipped = reports.flatMap((r) => r.skipped);
  return {
    status: error ? 'failed' : skipped.length > 0 ? 'done-with-skipped' : 'done',
    collections: reports,
    totals: totalsOf(reports),
    skipped,
    durationMs: Date.now() - started,
    error,
  };
}

async function syncOne(
  input: DavSyncInput,
  source: DavCollection,
  targets: DavCollection[],
): Promise<DavCollectionReport> {
  const saved = await input.checkpoints.load(input.accountKey, source.href);
  let target = findTargetCollection(source, targets, input.target, saved?.targetCollection);
  const report = newReport(source.kind, source.href, target?.href ?? '');
  if (!target) {
    target = await input.target.createCollection(source.kind, source.name, propertiesOf(source));
    // Some servers (Xandikos) keep only the display name of a MKCALENDAR: the rest by PROPPATCH.
    if (propertiesDiffer(source, target)) await input.target.setProperties(target, propertiesOf(source));
    targets.push(target);
    report.created = true;
    report.target = target.href;
  } else if (propertiesDiffer(source, target)) {
    await input.target.setProperties(target, propertiesOf(source));
  }
  // A checkpoint for another target collection says nothing about this one: start its map afresh.
  const checkpoint: DavCollectionCheckpoint =
    saved && saved.targetCollection === target.href
      ? saved
      : {
          kind: source.kind,
          sourceCollection: source.href,
          targetCollection: target.href,
          syncToken: undefined,
          items: new ItemMap(),
          retry: [],
        };
  const save = (c: DavCollectionCheckpoint): Promise<void> => input.checkpoints.save(input.accountKey, c);
  try {
    await syncDavCollection({
      source: input.source,
      target: input.target,
      sourceCollection: source,
      targetCollection: target,
      checkpoint,
      save,
      options: input.options,
      report,
      logger: input.logger.child({ collection: source.href }),
      signal: input.signal,
    });
  } catch (error) {
    // Keep what was written (the token stays the old one, so the same changes are asked for again).
    await save(checkpoint).catch(() => undefined);
    throw error;
  }
  input.onCollection?.(report);
  return report;
}
