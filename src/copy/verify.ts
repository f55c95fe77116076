import { bodySha256 } from '../mailstore/message-body.js';
import { toTrancheError } from '../errors/tranche-error.js';
import type { MailStore } from '../mailstore/mail-store.js';
import { planFolders, type FolderMapOptions } from './folder-map.js';
import type { StoreFactory } from './sync-mailbox.js';

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

/** A message as compared: bytes (by SHA-256), flags and internal date. */
async function fingerprints(store: MailStore, withBytes: boolean): Promise<Map<string, number>> {
  const messages = await store.listMessages();
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
      add(`sha256 ${sha.slice(0, 16)}…, flags (${m.flags.join(' ')}), date ${m.internalDate.toISOString()}`);
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

/**
 * Compares source and target folder by folder, through the same folder mapping as sync: message
 * counts always; with deep, every message's SHA-256, flags and internal date.
 */
export async function verifyMailbox(
  openSource: StoreFactory,
  openTarget: StoreFactory,
  folders: FolderMapOptions,
  deep: boolean,
): Promise<VerifyReport> {
  const started = Date.now();
  const source = await openSource();
  let target: MailStore | undefined;
  try {
    target = await openTarget();
    const targetFolders = await target.listFolders();
    const existing = new Set(targetFolders.filter((f) => !f.noSelect).map((f) => f.path.toUpperCase()));
    const plan = planFolders(
      await source.listFolders(),
      source.namespace,
      targetFolders,
      target.namespace,
      folders,
    );
    const results: FolderVerification[] = [];
    for (const pair of plan.pairs) {
      const sourceStatus = await source.openFolder(pair.source.path, true);
      const result: FolderVerification = {
        source: pair.source.path,
        target: pair.targetPath,
        sourceMessages: sourceStatus.messages,
        targetMessages: 0,
        differences: [],
      };
      results.push(result);
      if (!existing.has(pair.targetPath.toUpperCase())) {
        result.differences.push(`target folder '${pair.targetPath}' does not exist`);
        continue;
      }
      const targetStatus = await target.openFolder(pair.targetPath, true);
      result.targetMessages = targetStatus.messages;
      if (result.sourceMessages !== result.targetMessages) {
        result.differences.push(
          `${result.sourceMessages} messages on source, ${result.targetMessages} on target`,
        );
      }
      result.differences.push(...compare(await fingerprints(source, deep), await fingerprints(target, deep)));
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
    await target?.close();
  }
}
