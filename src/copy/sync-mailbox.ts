import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { FolderInfo, MailStore } from '../mailstore/mail-store.js';
import { RECONNECT_BACKOFF, backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
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
  signal?: AbortSignal;
  reconnect?: BackoffPolicy;
}

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
  try {
    excluded = plan.excluded;
    const existing = new Set(targetFolders.filter((f) => !f.noSelect).map((f) => f.path));
    for (const pair of plan.pairs) {
      if (existing.has(pair.targetPath) || pair.targetPath.toUpperCase() === 'INBOX') continue;
      await target.createFolder(pair.targetPath);
      logger.info({ folder: pair.targetPath }, 'created target folder');
    }
    for (const pair of plan.pairs) {
      request.signal?.throwIfAborted();
      try {
        reports.push(await syncFolderWithRetry(request, pair, stores as Stores));
      } catch (error) {
        const typed = toTrancheError(error);
        if (typed.retryable || request.signal?.aborted) throw typed;
        logger.error({ folder: pair.source.path, type: typed.type, err: typed.message }, 'folder failed');
        failure ??= new TrancheError(typed.type, `folder '${pair.logicalName}': ${typed.message}`, {
          cause: typed,
        });
      }
    }
  } catch (error) {
    failure = toTrancheError(error);
  } finally {
    await closeQuietly(stores.source);
    await closeQuietly(stores.target);
  }
  return summarise(reports, excluded, failure, Date.now() - started);
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
          onCopied: (bytes) => request.onProgress?.({ folder: pair.logicalName, bytes, messages: 1 }),
        },
        pair,
      );
    } catch (error) {
      const typed = toTrancheError(error);
      if (!typed.retryable || attempt >= policy.attempts || request.signal?.aborted) throw typed;
      const delay = backoffDelay(policy, attempt, typed.retryAfterMs);
      log.warn(
        { type: typed.type, err: typed.message, attempt, delayMs: delay },
        'connection trouble; reconnecting',
      );
      await closeQuietly(stores.source);
      await closeQuietly(stores.target);
      await sleep(delay, request.signal);
      stores.source = await request.openSource();
      stores.target = await request.openTarget();
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
    error: failure ? { type: failure.type, message: failure.message } : null,
  };
}
