import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { FolderInfo, MailStore } from '../mailstore/mail-store.js';
import { RECONNECT_BACKOFF, reconnectDelay, sleep, type BackoffPolicy } from './backoff.js';
import type { CheckpointStore, FolderCheckpoint } from './checkpoint.js';
import {
  matchesGlob,
  planFolders,
  toLevels,
  type FolderMapOptions,
  type FolderPair,
  type FolderPlan,
} from './folder-map.js';
import { largestFirst } from './folder-order.js';
import { unchangedFolders } from './unchanged-folder.js';
import { unreadableHiddenFolders } from './hidden-folders.js';
import type { SharedCopy } from './split-folder.js';
import { SplitBoard } from './split-folder.js';
import { syncFolder, type FolderSyncOptions } from './sync-folder.js';
import {
  newFolderReport,
  type FolderReport,
  type SkippedItem,
  type SyncReport,
  type SyncStatus,
} from './sync-report.js';
import { UnreadableMessages } from './unreadable-messages.js';
import type { KeywordsNotKept } from './folder-flags.js';
import type { TargetRules } from './target-rules.js';

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
  /** The target's habits when its server does not say (a service profile's, an endpoint's). */
  target?: TargetRules;
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

/** Logs out of both sides at once (each LOGOUT waits a round trip for its answer). */
async function closePair(own: Partial<Stores>): Promise<void> {
  await Promise.all([closeQuietly(own.source), closeQuietly(own.target)]);
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
  let stopped = false;
  const stores: Partial<Stores> = {};
  // Connecting, logging in and planning folders either work or stop the command with their error.
  let plan: FolderPlan;
  let targetFolders: FolderInfo[];
  let sourceFolders: FolderInfo[];
  try {
    // Both sides at once: the logins and the folder lists cost one side's round trips, not both.
    const { source, target } = Object.assign(stores, await openPair(request));
    [targetFolders, sourceFolders] = await Promise.all([
      target.listFolders({ counts: true }),
      source.listFolders({ counts: true }),
    ]);
    plan = planFolders(sourceFolders, source.namespace, targetFolders, target.namespace, request.folders);
  } catch (error) {
    await closePair(stores);
    throw toTrancheError(error);
  }
  const { target } = stores as Stores;
  const extra: Stores[] = [];
  const preopened: Promise<Stores>[] = [];
  try {
    excluded = plan.excluded;
    const { source } = stores as Stores;
    // Folders both sides list as the last pass left them are not opened; the others get a
    // connection each, up to the limit (a pass with nothing to do logs in once per side).
    const earlier = await Promise.all(
      plan.pairs.map((pair) => request.checkpoints.load(request.mailboxKey, pair.source.path)),
    );
    const checkpointOf = new Map(plan.pairs.map((pair, i) => [pair, earlier[i]]));
    const unchanged = await unchangedFolders(
      { source, target },
      plan.pairs,
      targetFolders,
      checkpointOf,
      request.options.propagateDeletes,
    );
    reports.push(...unchanged.values());
    const connections = Math.max(
      1,
      Math.min(request.connections ?? DEFAULT_CONNECTIONS, plan.pairs.length - unchanged.size),
    );
    // The other workers' connections open while the folders are checked and created.
    for (let i = 1; i < connections; i++) {
      const opening = openStoresWithRetry(request);
      opening.catch(() => undefined); // a worker that takes it hears the error; one left over need not
      preopened.push(opening);
    }
    const isExcluded = (path: string): boolean =>
      request.folders.excludes.some((glob) => matchesGlob(toLevels(path, source.namespace).join('/'), glob));
    reports.push(...(await unreadableHiddenFolders(source, sourceFolders, isExcluded)));
    const refused = await createFolders(target, plan.pairs, targetFolders, logger);
    reports.push(...refused);
    const queue = largestFirst(
      plan.pairs.filter((p) => !unchanged.has(p) && !refused.some((r) => r.source === p.source.path)),
    );
    const split = new SplitBoard();
    const workerCount = Math.max(1, Math.min(connections, queue.length));
    const worker = async (given: Stores | undefined): Promise<void> => {
      let own = given;
      if (!own) {
        try {
          own = await (preopened.shift() ?? openStoresWithRetry(request));
        } catch (error) {
          // The other workers go on with the queue; this connection pair could not be had.
          logger.warn({ err: toTrancheError(error) }, 'extra connection failed; going on with fewer');
          return;
        }
        extra.push(own);
      }
      // A folder's own failure (skipped, or refused by the server) never stops the others; the
      // mailbox's (a login, quota, the connection gone after every retry, throttling) does.
      while (!stopped) {
        request.signal?.throwIfAborted();
        const pair = queue.shift();
        if (!pair) {
          // No folder left to start: help copy a large folder another connection is on, if any.
          const shared = split.take();
          if (shared) {
            if (!(await helpWith(shared, own, request))) return;
            continue;
          }
          if (!split.busy) return;
          await split.changed();
          continue;
        }
        const report = newFolderReport(pair.source.path, pair.targetPath);
        reports.push(report);
        split.folderStarted();
        try {
          await syncFolderWithRetry(request, pair, checkpointOf.get(pair), own, report, split);
        } catch (error) {
          const typed = toTrancheError(error);
          if (request.signal?.aborted) throw typed;
          logger.error({ folder: pair.source.path, type: typed.type, err: typed }, 'folder failed');
          report.failure = { folder: pair.source.path, type: typed.type, message: typed.message };
          failure ??= new TrancheError(typed.type, `folder '${pair.logicalName}': ${typed.message}`, {
            cause: typed,
            retryable: typed.retryable,
            retryAfterMs: typed.retryAfterMs,
          });
          if (typed.type !== 'server') stopped = true;
        } finally {
          split.folderEnded();
        }
      }
    };
    const workers = [worker(stores as Stores)];
    for (let i = 1; i < workerCount; i++) workers.push(worker(undefined));
    // With fewer folders than connections, more open when a large folder is offered to share.
    const laneCount = Math.max(1, request.connections ?? DEFAULT_CONNECTIONS);
    split.onPost = () => {
      while (workers.length < laneCount) workers.push(worker(undefined));
    };
    let outcomes = await Promise.allSettled(workers);
    while (outcomes.length < workers.length) outcomes = await Promise.allSettled(workers);
    const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (broken) throw broken.reason;
  } catch (error) {
    failure = toTrancheError(error);
  } finally {
    // Connections opened for workers that never started (a folder refused): closed once open,
    // without waiting here for one still retrying.
    for (const left of preopened)
      left.then(
        (own) => closePair(own),
        () => undefined,
      );
    // All at once: each LOGOUT waits for its answer (a round trip), eight one after another were
    // 0.16 s of a copy at 20 ms and ~0.6 s at 80 ms.
    await Promise.all([stores, ...extra].map(closePair));
  }
  reports.sort(
    (a, b) =>
      plan.pairs.findIndex((p) => p.source.path === a.source) -
      plan.pairs.findIndex((p) => p.source.path === b.source),
  );
  return summarise(reports, excluded, failure, Date.now() - started);
}

/** Opens a connection to each side at once; on a failure closes the one that opened and throws (the source's error first). */
async function openPair(request: MailboxSyncRequest): Promise<Stores> {
  const [source, target] = await Promise.allSettled([request.openSource(), request.openTarget()]);
  if (source.status === 'fulfilled' && target.status === 'fulfilled')
    return { source: source.value, target: target.value };
  await closePair({
    source: source.status === 'fulfilled' ? source.value : undefined,
    target: target.status === 'fulfilled' ? target.value : undefined,
  });
  throw source.status === 'rejected' ? source.reason : (target as PromiseRejectedResult).reason;
}

/** Opens a connection to each side, retrying dropped or refused connections with back-off. */
async function openStoresWithRetry(request: MailboxSyncRequest): Promise<Stores> {
  const policy = request.reconnect ?? RECONNECT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    try {
      return await openPair(request);
    } catch (error) {
      const typed = toTrancheError(error);
      const delay = reconnectDelay(policy, attempt, typed, request.signal);
      if (delay === undefined) throw typed;
      await sleep(delay, request.signal);
    }
  }
}

/**
 * Copies batches of another connection's folder on this worker's own connections. A failure stays
 * with that folder (its pass fails and is retried there); this worker reconnects and goes on, or
 * stops (false) when it cannot.
 */
async function helpWith(shared: SharedCopy, own: Stores, request: MailboxSyncRequest): Promise<boolean> {
  const failed = await shared.join(own, true);
  if (!failed) return true;
  request.logger.warn({ folder: shared.sourcePath, err: failed }, 'helper connection failed');
  await closePair(own);
  try {
    Object.assign(own, await openStoresWithRetry(request));
    return true;
  } catch {
    return false;
  }
}

/**
 * Syncs one folder, reconnecting after a dropped connection. A drop blamed on a message being read
 * (see UnreadableMessages) does not use up an attempt: each message is blamed at most twice.
 * EARLIER is the folder's checkpoint as the mailbox pass loaded it (its unreadable messages).
 */
async function syncFolderWithRetry(
  request: MailboxSyncRequest,
  pair: FolderPair,
  earlier: FolderCheckpoint | undefined,
  stores: Stores,
  report: FolderReport,
  split: SplitBoard,
): Promise<FolderReport> {
  const policy = request.reconnect ?? RECONNECT_BACKOFF;
  const log = request.logger.child({ folder: pair.source.path });
  const unreadable = new UnreadableMessages(earlier?.unreadable);
  const landed = new Set<number>();
  const notKept: KeywordsNotKept = new Map();
  for (let attempt = 1; ; attempt++) {
    request.onProgress?.({ folder: pair.logicalName, bytes: 0, messages: 0 });
    const blamed = unreadable.blamed;
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
          split,
          onCopied: (bytes) => request.onProgress?.({ folder: pair.logicalName, bytes, messages: 1 }),
          report,
          unreadable,
          landed,
          rules: request.target,
          notKept,
        },
        pair,
      );
    } catch (error) {
      const typed = toTrancheError(error);
      if (unreadable.blamed > blamed) attempt--;
      const delay = reconnectDelay(policy, Math.max(1, attempt), typed, request.signal);
      if (delay === undefined) throw typed;
      log.warn({ type: typed.type, err: typed, attempt, delayMs: delay }, 'connection trouble; reconnecting');
      await closePair(stores);
      await sleep(delay, request.signal);
      Object.assign(stores, await openStoresWithRetry(request));
    }
  }
}

/**
 * Creates the target folders the plan needs (pipelined; the server runs them in order, so parents
 * come before children). A name the target refuses (NO/BAD) costs that folder only: it comes back as
 * a skipped folder with the server's words and how to choose another name.
 */
async function createFolders(
  target: MailStore,
  pairs: FolderPair[],
  targetFolders: FolderInfo[],
  logger: Logger,
): Promise<FolderReport[]> {
  const existing = new Set(targetFolders.filter((f) => !f.noSelect).map((f) => f.path));
  const missing = pairs.filter((p) => !existing.has(p.targetPath) && p.targetPath.toUpperCase() !== 'INBOX');
  const outcomes = await Promise.allSettled(missing.map((pair) => target.createFolder(pair.targetPath)));
  const refused: FolderReport[] = [];
  outcomes.forEach((outcome, i) => {
    const pair = missing[i]!;
    if (outcome.status === 'fulfilled') {
      logger.info({ folder: pair.targetPath }, 'created target folder');
      return;
    }
    const typed = toTrancheError(outcome.reason);
    if (typed.type !== 'server') throw typed;
    logger.warn({ folder: pair.targetPath, err: typed }, 'target refused the folder; skipped');
    const report = newFolderReport(pair.source.path, pair.targetPath);
    report.skipped.push({
      kind: 'folder-refused-by-target',
      folder: pair.source.path,
      uid: 0,
      size: 0,
      reason: `${typed.message}; give it another name with --map '${pair.logicalName}=Other' or leave it out with --exclude '${pair.logicalName}'`,
    });
    refused.push(report);
  });
  return refused;
}

/** Items once each: an attempt after a reconnect may meet the same refusal again. */
function once(items: SkippedItem[]): SkippedItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}\0${item.folder}\0${item.uid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function summarise(
  folders: FolderReport[],
  excludedFolders: string[],
  failure: TrancheError | undefined,
  durationMs: number,
): SyncReport {
  const sum = (pick: (f: FolderReport) => number): number => folders.reduce((n, f) => n + pick(f), 0);
  for (const folder of folders) {
    folder.skipped = once(folder.skipped);
    folder.altered = once(folder.altered);
  }
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
    flagsRestored: sum((f) => f.flagsRestored),
    deleted: sum((f) => f.deleted),
    skipped,
    altered: folders.flatMap((f) => f.altered),
    failedFolders: folders.flatMap((f) => (f.failure ? [f.failure] : [])),
    durationMs,
    error: failure ?? null,
  };
}
