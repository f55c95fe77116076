import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { MailStore, MessageMeta } from '../mailstore/mail-store.js';
import type { CheckpointStore, FolderCheckpoint } from './checkpoint.js';
import type { FolderPair } from './folder-map.js';
import { matchByContent } from './reconcile.js';
import { newFolderReport, type FolderReport } from './sync-report.js';
import { UidMap } from './uid-map.js';

/** Settings of one folder's pass. */
export interface FolderSyncOptions {
  propagateDeletes: boolean;
  /** Messages per APPEND batch between checkpoints. */
  batchMessages: number;
  /** Bytes per APPEND batch between checkpoints. */
  batchBytes: number;
}

/** What a folder's pass works with. */
export interface FolderSyncContext {
  source: MailStore;
  target: MailStore;
  checkpoints: CheckpointStore;
  mailboxKey: string;
  options: FolderSyncOptions;
  /** Called after every message written, for progress displays. */
  onCopied: (bytes: number) => void;
  /** Awaited before each message is written: a byte budget (e.g. bytes per hour) slows the copy here. */
  pace?: (bytes: number) => Promise<void>;
  signal: AbortSignal | undefined;
}

/** Errors that belong to one message (the target refused it), not to the connection or the folder. */
function isMessageFault(error: TrancheError): boolean {
  return error.type === 'message-refused' || error.type === 'server';
}

function batches(messages: MessageMeta[], options: FolderSyncOptions): MessageMeta[][] {
  const out: MessageMeta[][] = [];
  let current: MessageMeta[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (
      current.length > 0 &&
      (current.length >= options.batchMessages || bytes + m.size > options.batchBytes)
    ) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * One pass over one folder: copies what the target lacks, brings flag changes across and, when
 * asked, deletions. Exactly once: before each APPEND batch the checkpoint records the batch and the
 * lowest UID the target could give it; a pass that finds such a batch left by a crash first finds
 * its messages on the target by content, so nothing is appended twice.
 */
export async function syncFolder(ctx: FolderSyncContext, pair: FolderPair): Promise<FolderReport> {
  const { source, target, checkpoints, mailboxKey } = ctx;
  const sourcePath = pair.source.path;
  const report = newFolderReport(sourcePath, pair.targetPath);

  const [sourceStatus, targetStatus] = await Promise.all([
    source.openFolder(sourcePath, true),
    target.openFolder(pair.targetPath, false),
  ]);
  const sourceMessages = await source.listMessages();
  report.sourceMessages = sourceMessages.length;
  const bySourceUid = new Map(sourceMessages.map((m) => [m.uid, m]));

  let checkpoint = await checkpoints.load(mailboxKey, sourcePath);
  const save = (cp: FolderCheckpoint): Promise<void> => checkpoints.save(mailboxKey, cp);
  if (
    !checkpoint ||
    checkpoint.sourceUidValidity !== sourceStatus.uidValidity ||
    checkpoint.targetUidValidity !== targetStatus.uidValidity ||
    checkpoint.targetFolder !== pair.targetPath
  ) {
    // No trustworthy map: learn what the target already holds from the bytes themselves.
    const targetMessages = targetStatus.messages > 0 ? await target.listMessages() : [];
    const matches = await matchByContent(source, sourceMessages, target, targetMessages);
    const map = new UidMap();
    for (const [s, t] of matches) map.set(s, t);
    report.matched += matches.size;
    checkpoint = {
      sourceFolder: sourcePath,
      targetFolder: pair.targetPath,
      sourceUidValidity: sourceStatus.uidValidity,
      targetUidValidity: targetStatus.uidValidity,
      highestModseq: undefined,
      map,
      pending: undefined,
    };
    await save(checkpoint);
  } else if (checkpoint.pending) {
    report.matched += await resolvePending(ctx, checkpoint, bySourceUid);
    await save(checkpoint);
  }

  const copiedNow = new Set<number>();
  const cp = checkpoint;
  let targetUidFloor = Math.max(targetStatus.uidNext, cp.map.highestTargetUid() + 1);
  const toCopy = sourceMessages.filter((m) => !cp.map.has(m.uid));
  for (const batch of batches(toCopy, ctx.options)) {
    ctx.signal?.throwIfAborted();
    cp.pending = {
      targetUidFloor,
      messages: batch.map((m) => ({
        sourceUid: m.uid,
        size: m.size,
        internalDate: m.internalDate.getTime(),
      })),
    };
    await save(cp);
    let unknownUid = false;
    // APPENDs are pipelined: each is sent as its message arrives, and answered later.
    const answers: Promise<void>[] = [];
    // Into a server with MULTIAPPEND, many messages share one APPEND command (see multi-append.ts).
    const appends = target.appendBatch(pair.targetPath);
    try {
      for await (const message of source.fetchMessages(batch.map((m) => m.uid))) {
        const { uid: sourceUid, size } = message;
        if (ctx.pace) await ctx.pace(size);
        const pending = await appends.append(message);
        const answer = pending.uid.then(
          (targetUid) => {
            report.copied++;
            report.copiedBytes += size;
            copiedNow.add(sourceUid);
            ctx.onCopied(size);
            if (targetUid === undefined) unknownUid = true;
            else {
              cp.map.set(sourceUid, targetUid);
              targetUidFloor = Math.max(targetUidFloor, targetUid + 1);
            }
          },
          (error: unknown) => {
            const typed = toTrancheError(error);
            if (!isMessageFault(typed)) throw typed;
            report.skipped.push({ folder: sourcePath, uid: sourceUid, size, reason: typed.message });
          },
        );
        // Handled below with allSettled, or dropped with the batch if the loop breaks off first.
        answer.catch(() => undefined);
        answers.push(answer);
      }
    } finally {
      // Always ended, also when the source fails mid-batch: the target connection carries nothing else till then.
      await appends.end().catch(() => undefined);
    }
    const outcomes = await Promise.allSettled(answers);
    const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (broken) throw toTrancheError(broken.reason);
    if (unknownUid) {
      // No UIDPLUS: the new target UIDs are found the same way a crash is recovered from.
      await resolvePending(ctx, cp, bySourceUid);
      targetUidFloor = Math.max(targetUidFloor, cp.map.highestTargetUid() + 1);
    }
    cp.pending = undefined;
    await save(cp);
  }

  // Messages copied in this pass carry their flags already; compare only when others are mapped.
  if (cp.map.size > copiedNow.size) {
    report.flagsUpdated = await syncFlags(ctx, cp, sourceMessages, sourceStatus.highestModseq, copiedNow);
  }
  cp.highestModseq = sourceStatus.highestModseq?.toString();

  const vanished = cp.map.entries().filter(([s]) => !bySourceUid.has(s));
  if (ctx.options.propagateDeletes && vanished.length > 0) {
    await target.expunge(vanished.map(([, t]) => t));
    for (const [s] of vanished) cp.map.delete(s);
    report.deleted = vanished.length;
  }
  await save(cp);
  return report;
}

/** Finds on the target the messages of an interrupted batch; returns how many were there. */
async function resolvePending(
  ctx: FolderSyncContext,
  checkpoint: FolderCheckpoint,
  bySourceUid: Map<number, MessageMeta>,
): Promise<number> {
  const pending = checkpoint.pending;
  if (!pending) return 0;
  const ours = new Set(checkpoint.map.entries().map(([, t]) => t));
  const targetNew = (await ctx.target.listMessages(pending.targetUidFloor)).filter((m) => !ours.has(m.uid));
  const sourcePending = pending.messages
    .filter((p) => !checkpoint.map.has(p.sourceUid))
    .map((p) => bySourceUid.get(p.sourceUid))
    .filter((m): m is MessageMeta => m !== undefined);
  const matches = await matchByContent(ctx.source, sourcePending, ctx.target, targetNew);
  for (const [s, t] of matches) checkpoint.map.set(s, t);
  checkpoint.pending = undefined;
  return matches.size;
}

/**
 * Makes target flags equal source flags for every mapped message. With CONDSTORE on the source and
 * a previous modseq, only what changed since is asked for; otherwise both sides' flags are compared.
 */
async function syncFlags(
  ctx: FolderSyncContext,
  checkpoint: FolderCheckpoint,
  sourceMessages: MessageMeta[],
  highestModseq: bigint | undefined,
  copiedNow: Set<number>,
): Promise<number> {
  let wanted: { uid: number; flags: string[] }[];
  let current: Map<number, string> | undefined;
  if (highestModseq !== undefined && checkpoint.highestModseq !== undefined) {
    wanted = await ctx.source.changedSince(BigInt(checkpoint.highestModseq));
  } else {
    wanted = sourceMessages;
    const targetMessages = await ctx.target.listMessages();
    current = new Map(targetMessages.map((m) => [m.uid, m.flags.join(' ')]));
  }
  const updates: Promise<void>[] = [];
  for (const { uid, flags } of wanted) {
    const targetUid = checkpoint.map.get(uid);
    if (targetUid === undefined || copiedNow.has(uid)) continue;
    if (current && (!current.has(targetUid) || current.get(targetUid) === flags.join(' '))) continue;
    ctx.signal?.throwIfAborted();
    // Pipelined: every STORE goes out at once and is answered in order.
    updates.push(
      ctx.target.setFlags(targetUid, flags).catch((error: unknown) => {
        const typed = toTrancheError(error);
        throw new TrancheError(
          typed.type,
          `flags of ${checkpoint.sourceFolder} UID ${uid}: ${typed.message}`,
          {
            cause: error,
            retryable: typed.retryable,
          },
        );
      }),
    );
  }
  const outcomes = await Promise.allSettled(updates);
  const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (broken) throw toTrancheError(broken.reason);
  const updated = updates.length;
  return updated;
}
