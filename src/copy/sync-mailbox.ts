import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { FolderInfo, MailStore } from '../mailstore/mail-store.js';
import { RECONNECT_BACKOFF, reconnectDelay, sleep, type BackoffPolicy } from './backoff.js';
import type { CheckpointStore } from './checkpoint.js';
import { planFolders, type FolderMapOptions, type FolderPair, type FolderPlan } from './folder-map.js';
import { syncFolder, type FolderSyncOptions } from './sync-folder.js';
import type { FolderReport, SyncReport, SyncStatus } from './sync-report.js';

/** The two live connections, replaced in place on reconnect. */
interface Stores {
  source: MailStore;
  target: MailStore;
}

/** Opens a connected mail store; called again to reconnect after a drop. */
export type StoreFactory = () => Promise<MailStore>;

/** Everything a mailbox sync needs. */
export interface MailboxSyncRequest {
  /** Identifies the (source account, target account) pair in the checkpoint store. */
  mailboxKey: string;
  openSource: StoreFactory;
  openTarget: StoreFactory;
  checkpoints: CheckpointStore;
  folders: FolderMapOptions;
  options: FolderSyncOptions;
  logger: Logger;
  /** Progress: called as folders start and messages are written. */
  onProgress?: (event: { folder: string; bytes: number; messages: number }) => void;
  /** Awaited before each message is written, so a byte budget can slow the copy. */
  pace?: (bytes: number) => Promise<void>;
  signal?: AbortSignal;
  reconnect?: BackoffPolicy;
  /** Folders synced at once, each over its own connection to each side (default 1). */
  connections?: number;
}

/** Connections to each side by default: four folders at once, within the usual per-user limits (Dovecot's is 10). */
export const DEFAULT_CONNECTIONS = 4;

/** Default batch: this many messages or bytes between checkpoints. */
export const DEFAULT_FOLDER_SYNC: FolderSyncOptions = {
  propagateDeletes: false,
  batchMessages: 200,
  batchBytes: 32 * 1024 * 1024,
};

async function closeQuietly(store: MailStore | undefined): Promise<void> {
  try {
    await store?.close();
  } catch {
    // The connection is being dropped anyway.
  }
}

/**
 * Syncs a whole mailbox: plans the folders, creates the missing ones on the target, then syncs each
 * folder in turn. A dropped connection is retried with back-off and the folder resumed from its
 * checkpoint; a folder that fails otherwise is reported and the others go on.
 */
export async function syncMailbox(request: MailboxSyncRequest): Promise<SyncReport> {
  const started = Date.now();
  const { logger } = request;
  const reports: FolderReport[] = [];
  let excluded: string[] = [];
  let failure: TrancheError | undefined;
  const stores: Partial<Stores> = {};
  // Connecting, logging in and planning folders either work or stop the command with their error.
  let plan: FolderPlan;
  let targetFolders: FolderInfo[];
  try {
    stores.source = await request.openSource();
    stores.target = await request.openTarget();
    targetFolders = await stores.target.listFolders();
    plan = planFolders(
      await stores.source.listFolders(),
      stores.source.namespace,
      targetFolders,
      stores.target.namespace,
      request.folders,
    );
  } catch (error) {
    await closeQuietly(stores.source);
    await closeQuietly(stores.target);
    throw toTrancheError(error);
  }
  const { target } = stores as Stores;
  const extra: Stores[] = [];
  try {
    excluded = plan.excluded;
    const existing = new Set(targetFolders.filter((f) => !f.noSelect).map((f) => f.path));
    const missing = plan.pairs.filter(
      (p) => !existing.has(p.targetPath) && p.targetPath.toUpperCase() !== 'INBOX',
    );
    // CREATEs are pipelined; the server runs them in order, so parents come before children.
    await Promise.all(missing.map((pair) => target.createFolder(pair.targetPath)));
    for (const pair of missing) logger.info({ folder: pair.targetPath }, 'created target folder');

    const queue = [...plan.pairs];
    const workerCount = Math.max(1, Math.min(request.connections ?? DEFAULT_CONNECTIONS, queue.length));
    const worker = async (given: Stores | undefined): Promise<void> => {
      let own = given;
      if (!own) {
        try {
          own = await openStoresWithRetry(request);
        } catch (error) {
          // The other workers go on with the queue; this connection pair could not be had.
          logger.warn({ err: toTrancheError(error) }, 'extra connection failed; going on with fewer');
          return;
        }
        extra.push(own);
      }
      for (let pair = queue.shift(); pair && !failure?.retryable; pair = queue.shift()) {
        request.signal?.throwIfAborted();
        try {
          reports.push(await syncFolderWithRetry(request, pair, own));
        } catch (error) {
          const typed = toTrancheError(error);
          if (request.signal?.aborted) throw typed;
          logger.error({ folder: pair.source.path, type: typed.type, err: typed }, 'folder failed');
          failure ??= new TrancheError(typed.type, `folder '${pair.logicalName}': ${typed.message}`, {
            cause: typed,
            retryable: typed.retryable,
            retryAfterMs: typed.retryAfterMs,
          });
        }
      }
    };
    const workers = [worker(stores as Stores)];
    for (let i = 1; i < workerCount; i++) workers.push(worker(undefined));
    const outcomes = await Promise.allSettled(workers);
    const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (broken) throw broken.reason;
  } catch (error) {
    failure = toTrancheError(error);
  } finally {
    for (const own of [stores, ...extra]) {
      await closeQuietly(own.source);
      await closeQuietly(own.target);
    }
  }
  reports.sort(
    (a, b) =>
      plan.pairs.findIndex((p) => p.source.path === a.source) -
      plan.pairs.findIndex((p) => p.source.path === b.source),
  );
  return summarise(reports, excluded, failure, Date.now() - started);
}

/** Opens a connection to each side, retrying dropped or refused connections with back-off. */
async function openStoresWithRetry(request: MailboxSyncRequest): Promise<Stores> {
  const policy = request.reconnect ?? RECONNECT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    let source: MailStore | undefined;
    try {
      source = await request.openSource();
      return { source, target: await request.openTarget() };
    } catch (error) {
      await closeQuietly(source);
      const typed = toTrancheError(error);
      const delay = reconnectDelay(policy, attempt, typed, request.signal);
      if (delay === undefined) throw typed;
      await sleep(delay, request.signal);
    }
  }
}

async function syncFolderWithRetry(
  request: MailboxSyncRequest,
  pair: FolderPair,
  stores: Stores,
): Promise<FolderReport> {
  const policy = request.reconnect ?? RECONNECT_BACKOFF;
  const log = request.logger.child({ folder: pair.source.path });
  for (let attempt = 1; ; attempt++) {
    request.onProgress?.({ folder: pair.logicalName, bytes: 0, messages: 0 });
    try {
      return await syncFolder(
        {
          source: stores.source,
          target: stores.target,
          checkpoints: request.checkpoints,
          mailboxKey: request.mailboxKey,
          options: request.options,
          signal: request.signal,
          pace: request.pace,
          onCopied: (bytes) => request.onProgress?.({ folder: pair.logicalName, bytes, messages: 1 }),
        },
        pair,
      );
    } catch (error) {
      const typed = toTrancheError(error);
      const delay = reconnectDelay(policy, attempt, typed, request.signal);
      if (delay === undefined) throw typed;
      log.warn({ type: typed.type, err: typed, attempt, delayMs: delay }, 'connection trouble; reconnecting');
      await closeQuietly(stores.source);
      await closeQuietly(stores.target);
      await sleep(delay, request.signal);
      Object.assign(stores, await openStoresWithRetry(request));
    }
  }
}

function summarise(
  folders: FolderReport[],
  excludedFolders: string[],
  failure: TrancheError | undefined,
  durationMs: number,
): SyncReport {
  const sum = (pick: (f: FolderReport) => number): number => folders.reduce((n, f) => n + pick(f), 0);
  const skipped = folders.flatMap((f) => f.skipped);
  const status: SyncStatus = failure ? 'failed' : skipped.length > 0 ? 'done-with-skipped' : 'done';
  return {
    status,
    folders,
    excludedFolders,
    messagesCopied: sum((f) => f.copied),
    bytesCopied: sum((f) => f.copiedBytes),
    messagesMatched: sum((f) => f.matched),
    flagsUpdated: sum((f) => f.flagsUpdated),
    deleted: sum((f) => f.deleted),
    skipped,
    durationMs,
    error: failure ?? null,
  };
}
