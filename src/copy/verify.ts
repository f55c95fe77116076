import { bodySha256 } from '../mailstore/body-sha256.js';
import { toTrancheError, type TrancheError } from '../errors/tranche-error.js';
import type { MailStore } from '../mailstore/mail-store.js';
import { matchesGlob, planFolders, toLevels, type FolderMapOptions } from './folder-map.js';
import { unreadableHiddenFolders } from './hidden-folders.js';
import type { StoreFactory } from './sync-mailbox.js';
import { isFolderItem, type SkippedItem } from './sync-report.js';

/** The comparison of one folder pair. */
export interface FolderVerification {
  source: string;
  target: string;
  sourceMessages: number;
  targetMessages: number;
  /** Human-readable differences; empty when the folder matches. */
  differences: string[];
}

/** The comparison of a whole mailbox. */
export interface VerifyReport {
  identical: boolean;
  deep: boolean;
  folders: FolderVerification[];
  durationMs: number;
}

const FETCH_BATCH = 100;

/**
 * A message as compared: bytes (by SHA-256), flags and internal date; LEAVE_OUT names source UIDs not
 * compared, NOT_KEPT keywords (lower case) the target does not keep, left out of the flags.
 */
async function fingerprints(
  store: MailStore,
  withBytes: boolean,
  leaveOut: ReadonlySet<number> = new Set(),
  notKept: ReadonlySet<string> = new Set(),
): Promise<Map<string, number>> {
  const messages = (await store.listMessages())
    .filter((m) => !leaveOut.has(m.uid))
    .map((m) => ({ ...m, flags: m.flags.filter((f) => !notKept.has(f.toLowerCase())) }));
  const counts = new Map<string, number>();
  const add = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
  if (!withBytes) {
    for (const m of messages)
      add(`size ${m.size}, flags (${m.flags.join(' ')}), date ${m.internalDate.toISOString()}`);
    return counts;
  }
  const uids = messages.map((m) => m.uid);
  for (let i = 0; i < uids.length; i += FETCH_BATCH) {
    for await (const m of store.fetchMessages(uids.slice(i, i + FETCH_BATCH))) {
      const sha = bodySha256(m.body);
      const flags = m.flags.filter((f) => !notKept.has(f.toLowerCase()));
      add(`sha256 ${sha.slice(0, 16)}…, flags (${flags.join(' ')}), date ${m.internalDate.toISOString()}`);
    }
  }
  return counts;
}

function compare(source: Map<string, number>, target: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [key, n] of source) {
    const missing = n - (target.get(key) ?? 0);
    if (missing > 0) out.push(`missing on target (${missing}x): ${key}`);
  }
  for (const [key, n] of target) {
    const extra = n - (source.get(key) ?? 0);
    if (extra > 0) out.push(`only on target (${extra}x): ${key}`);
  }
  return out;
}

/** One side's connection, opened again after a read broke it. */
class Side {
  store: MailStore | undefined;
  readonly #open: StoreFactory;

  constructor(open: StoreFactory) {
    this.#open = open;
  }

  async get(): Promise<MailStore> {
    this.store ??= await this.#open();
    return this.store;
  }

  /** Reads with the side's connection; on a failure of the connection the next read gets a new one. */
  async read<T>(work: (store: MailStore) => Promise<T>): Promise<T> {
    const store = await this.get();
    try {
      return await work(store);
    } catch (error) {
      const typed = toTrancheError(error);
      if (typed.type === 'connection-lost') {
        this.store = undefined;
        await store.close().catch(() => undefined);
      }
      throw typed;
    }
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
  }
}

/** Errors that belong to a folder or its messages: the comparison goes on with the next folder. */
function isFolderFault(error: TrancheError): boolean {
  return error.type === 'server' || error.type === 'connection-lost';
}

/**
 * Compares source and target folder by folder, through the same folder mapping as sync: message
 * counts always; with deep, every message's SHA-256, flags and internal date. A folder that cannot be
 * read on either side is a difference of its own, and the rest are compared (a dropped connection
 * is opened again). SKIPPED (a sync's skipped items) leaves out what is known not to be there, and
 * its keywords-not-kept items (or NOT_KEPT, keywords a target keeps in no folder, as a profile's
 * closed flag set) the keywords the target does not keep.
 */
export async function verifyMailbox(
  openSource: StoreFactory,
  openTarget: StoreFactory,
  folders: FolderMapOptions,
  deep: boolean,
  skipped: readonly SkippedItem[] = [],
  keeps?: (flag: string) => boolean,
): Promise<VerifyReport> {
  const started = Date.now();
  const source = new Side(openSource);
  const target = new Side(openTarget);
  try {
    const sourceStore = await source.get();
    const targetStore = await target.get();
    const targetFolders = await targetStore.listFolders();
    const sourceFolders = await sourceStore.listFolders();
    const existing = new Set(targetFolders.filter((f) => !f.noSelect).map((f) => f.path.toUpperCase()));
    const plan = planFolders(
      sourceFolders,
      sourceStore.namespace,
      targetFolders,
      targetStore.namespace,
      folders,
    );
    const results: FolderVerification[] = [];
    const isExcluded = (path: string): boolean =>
      folders.excludes.some((glob) => matchesGlob(toLevels(path, sourceStore.namespace).join('/'), glob));
    for (const hidden of await unreadableHiddenFolders(sourceStore, sourceFolders, isExcluded)) {
      if (skipped.some((i) => i.folder === hidden.source && isFolderItem(i))) continue;
      results.push({
        source: hidden.source,
        target: hidden.target,
        sourceMessages: 0,
        targetMessages: 0,
        differences: hidden.skipped.map((i) => `cannot read ${i.folder} at the source: ${i.reason}`),
      });
    }
    for (const pair of plan.pairs) {
      const result: FolderVerification = {
        source: pair.source.path,
        target: pair.targetPath,
        sourceMessages: 0,
        targetMessages: 0,
        differences: [],
      };
      results.push(result);
      const known = skipped.filter((i) => i.folder === pair.source.path);
      if (known.some(isFolderItem)) continue;
      const leaveOut = new Set(known.filter((i) => i.kind !== 'keywords-not-kept').map((i) => i.uid));
      const notKept = new Set(known.flatMap((i) => i.flags ?? []).map((f) => f.toLowerCase()));
      let side: 'source' | 'target' = 'source';
      try {
        const sourceCounts = await source.read(async (store) => {
          const status = await store.openFolder(pair.source.path, true);
          result.sourceMessages = status.messages;
          if (keeps) {
            for (const m of await store.listMessages())
              for (const f of m.flags) if (!keeps(f)) notKept.add(f.toLowerCase());
          }
          return fingerprints(store, deep, leaveOut, notKept);
        });
        side = 'target';
        if (!existing.has(pair.targetPath.toUpperCase())) {
          result.differences.push(`target folder '${pair.targetPath}' does not exist`);
          continue;
        }
        const targetCounts = await target.read(async (store) => {
          result.targetMessages = (await store.openFolder(pair.targetPath, true)).messages;
          return fingerprints(store, deep, undefined, notKept);
        });
        const expected = result.sourceMessages - leaveOut.size;
        if (expected !== result.targetMessages) {
          result.differences.push(`${expected} messages on source, ${result.targetMessages} on target`);
        }
        result.differences.push(...compare(sourceCounts, targetCounts));
      } catch (error) {
        const typed = toTrancheError(error);
        if (!isFolderFault(typed)) throw typed;
        const folder = side === 'source' ? pair.source.path : pair.targetPath;
        result.differences.push(`cannot read ${folder} at the ${side}: ${typed.message}`);
      }
    }
    return {
      identical: results.every((r) => r.differences.length === 0),
      deep,
      folders: results,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    throw toTrancheError(error);
  } finally {
    await source.close();
    await target.close();
  }
}
