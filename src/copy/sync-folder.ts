import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { FolderStatus, MailStore, MessageMeta, MessageWithBody } from '../mailstore/mail-store.js';
import type { CheckpointStore, FolderCheckpoint, PendingBatch } from './checkpoint.js';
import type { FolderPair } from './folder-map.js';
import { addRange, rangeSize } from '../mailstore/uid-ranges.js';
import { listingStart, nextListingStart, vanishedPairs } from './delta-listing.js';
import { PendingLedger } from './pending-ledger.js';
import { matchByContent } from './reconcile.js';
import { SharedCopy, type CopiedBatch, type Lane, type SplitBoard } from './split-folder.js';
import type { FolderReport } from './sync-report.js';
import { READS_PER_MESSAGE, type UnreadableMessages } from './unreadable-messages.js';
import { UidMap } from './uid-map.js';
import { checkAppended, STORE_UIDS } from './after-append.js';
import { FolderFlags, keywordsItem, type KeywordsNotKept } from './folder-flags.js';
import { sizeLimit, type SizeLimit, type TargetRules } from './target-rules.js';
import { targetSettled } from './target-settled.js';

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
  /** The folder's report, shared by every attempt of this pass, so what landed before a reconnect counts. */
  report: FolderReport;
  /** The folder's unreadable messages over the attempts of this pass. */
  unreadable: UnreadableMessages;
  /** Source UIDs that landed in this pass (counted once, even when found again by content after a reconnect). */
  landed: Set<number>;
  /** Where a large folder's copy is offered to the mailbox's idle connections (see split-folder.ts). */
  split?: SplitBoard;
  /** The target's habits when its server does not say. */
  rules?: TargetRules | undefined;
  /** Keywords the target did not keep in this pass, over its attempts (reported once per folder). */
  notKept?: KeywordsNotKept;
}

/** Errors that belong to one message (the target refused it), not to the connection or the folder. */
function isMessageFault(error: TrancheError): boolean {
  return error.type === 'message-refused' || error.type === 'server';
}

/** Reading a message failed in a way a message can cause: the session closed under it, or NO/BAD. */
function isReadFault(error: TrancheError): boolean {
  return error.type === 'connection-lost' || error.type === 'server';
}

/**
 * The messages of UIDS with their bytes, read around the unreadable ones: suspects are read on
 * their own; a read that fails is blamed on the first message not yet received, and the pass is
 * retried (on a fresh connection) with it isolated, or skipped once it is found unreadable.
 */
async function* readAround(
  ctx: FolderSyncContext,
  source: MailStore,
  folder: string,
  uids: number[],
): AsyncIterable<MessageWithBody> {
  const readable = uids.filter((u) => !ctx.unreadable.skipped(u));
  const together = readable.filter((u) => !ctx.unreadable.alone(u));
  const groups = [
    ...(together.length > 0 ? [together] : []),
    ...readable.filter((u) => ctx.unreadable.alone(u)).map((u) => [u]),
  ];
  for (const group of groups) {
    const received = new Set<number>();
    const messages = source.fetchMessages(group)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<MessageWithBody>;
      try {
        next = await messages.next();
      } catch (error) {
        const typed = toTrancheError(error);
        const culprit = group.find((u) => !received.has(u));
        if (!isReadFault(typed) || culprit === undefined || ctx.signal?.aborted) throw typed;
        const given = ctx.unreadable.failed(culprit, typed);
        throw new TrancheError(
          'connection-lost',
          `reading ${folder} UID ${culprit}${given ? ' (now skipped as unreadable)' : ''}: ${typed.message}`,
          { cause: typed, retryable: true },
        );
      }
      if (next.done) break;
      received.add(next.value.uid);
      yield next.value;
    }
  }
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
  const { source, target, checkpoints, mailboxKey, report } = ctx;
  const notKept: KeywordsNotKept =
    ctx.notKept ?? new Map<string, { why: 'closed' | 'dropped'; uids: Set<number> }>();
  const sourcePath = pair.source.path;

  // Both sides' folders open at once (one round trip, not two), the checkpoint read meanwhile.
  const [sourceOpened, targetOpened, loaded] = await Promise.allSettled([
    source.openFolder(sourcePath, true),
    target.openFolder(pair.targetPath, false),
    checkpoints.load(mailboxKey, sourcePath),
  ]);
  const sourceStatus = openedOrSkipped(ctx, sourceOpened, 'folder-unreadable-at-source', sourcePath);
  if (!sourceStatus) return report;
  const targetStatus = openedOrSkipped(ctx, targetOpened, 'folder-refused-by-target', sourcePath);
  if (!targetStatus) return report;
  if (loaded.status === 'rejected') throw loaded.reason;
  let checkpoint = loaded.value;
  const save = (cp: FolderCheckpoint): Promise<void> => checkpoints.save(mailboxKey, cp);
  const trusted =
    checkpoint !== undefined &&
    checkpoint.sourceUidValidity === sourceStatus.uidValidity &&
    checkpoint.targetUidValidity === targetStatus.uidValidity &&
    checkpoint.targetFolder === pair.targetPath;
  // A delta pass lists only the messages since the last finished pass (see delta-listing.ts).
  const from = trusted ? listingStart(checkpoint!, source, sourceStatus) : 1;
  // A delta from the source's UIDNEXT has nothing to list (a round trip saved per unchanged folder).
  const sourceMessages = from > 1 && from >= sourceStatus.uidNext ? [] : await source.listMessages(from);
  report.sourceMessages = from === 1 ? sourceMessages.length : sourceStatus.messages;
  const bySourceUid = new Map(sourceMessages.map((m) => [m.uid, m]));

  if (!checkpoint || !trusted) {
    // No trustworthy map: learn what the target already holds from the bytes themselves.
    const targetMessages = targetStatus.messages > 0 ? await target.listMessages() : [];
    const readable = sourceMessages.filter((m) => !ctx.unreadable.alone(m.uid));
    const matches = await matchByContent(source, readable, target, targetMessages);
    const map = new UidMap();
    for (const [s, t] of matches) map.set(s, t);
    report.matched += countNew(ctx, matches.keys());
    checkpoint = {
      sourceFolder: sourcePath,
      targetFolder: pair.targetPath,
      sourceUidValidity: sourceStatus.uidValidity,
      targetUidValidity: targetStatus.uidValidity,
      highestModseq: undefined,
      map,
      pending: undefined,
      unreadable: checkpoint?.unreadable,
    };
    await save(checkpoint);
  }
  const flags = new FolderFlags(
    targetStatus.permanentFlags,
    ctx.rules?.keptFlags,
    notKept,
    checkpoint.keywordsNotKept,
  );
  if (checkpoint.pending) {
    const pending = checkpoint.pending;
    // The run or connection that died with this batch under way may still have an APPEND committed.
    await targetSettled(target, pair.targetPath, targetStatus.uidNext, ctx.signal);
    report.matched += await resolvePending(ctx, ctx, checkpoint, pending, bySourceUid);
    // A crash may have come between APPEND and the STORE of dropped flags: check those messages now.
    const metas = pending.messages.flatMap((p) => bySourceUid.get(p.sourceUid) ?? []);
    await checkAppended(report, target, checkpoint, metas, sourcePath, flags);
    checkpoint.pending = undefined;
    await save(checkpoint);
  }

  const copiedNow = new Set<number>();
  const cp = checkpoint;
  const ledger = new PendingLedger(cp, checkpoints, mailboxKey);
  let targetUidFloor = Math.max(targetStatus.uidNext, cp.map.highestTargetUid() + 1);
  const unmapped = sourceMessages.filter((m) => !cp.map.has(m.uid) && !ctx.unreadable.skipped(m.uid));
  // The target's size limit costs a STATUS round trip where announced: asked only when there is mail to send.
  const limit =
    unmapped.length > 0 ? sizeLimit(await target.appendLimit(pair.targetPath), ctx.rules) : undefined;
  const toCopy = unmapped.filter((m) => !tooLarge(report, m, limit, sourcePath));
  const copyBatch = async (lane: Lane, batch: MessageMeta[]): Promise<CopiedBatch> => {
    ctx.signal?.throwIfAborted();
    const pendingBatch: PendingBatch = {
      targetUidFloor,
      messages: batch.map((m) => ({
        sourceUid: m.uid,
        size: m.size,
        internalDate: m.internalDate.getTime(),
      })),
    };
    const id = await ledger.open(pendingBatch.targetUidFloor, pendingBatch.messages);
    let unknownUid = false;
    // APPENDs are pipelined: each is sent as its message arrives, and answered later.
    const answers: Promise<void>[] = [];
    // The flags each message was given: another lane may learn of a dropped keyword meanwhile.
    const sent = new Map<number, string[]>();
    // Into a server with MULTIAPPEND, many messages share one APPEND command (see multi-append.ts).
    const appends = lane.target.appendBatch(pair.targetPath);
    try {
      for await (const message of readAround(
        ctx,
        lane.source,
        sourcePath,
        batch.map((m) => m.uid),
      )) {
        const { uid: sourceUid, size } = message;
        if (ctx.pace) await ctx.pace(size);
        const pending = await appends.append({
          body: message.body,
          flags: given(sent, sourceUid, flags.kept(sourceUid, message.flags)),
          internalDate: message.internalDate,
        });
        const answer = pending.uid.then(
          (targetUid) => {
            if (!ctx.landed.has(sourceUid)) {
              report.copied++;
              report.copiedBytes += size;
            }
            ctx.landed.add(sourceUid);
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
            report.skipped.push({
              kind: 'refused-by-target',
              folder: sourcePath,
              uid: sourceUid,
              size,
              reason: typed.message,
            });
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
      // No UIDPLUS (so never a split folder): the new target UIDs are found as after a crash.
      await resolvePending(ctx, lane, cp, pendingBatch, bySourceUid);
      targetUidFloor = Math.max(targetUidFloor, cp.map.highestTargetUid() + 1);
    }
    await ledger.close(id);
    const check = (): Promise<void> => checkAppended(report, lane.target, cp, batch, sourcePath, flags, sent);
    // Made while the lane copies its next batch (SharedCopy), except without UIDPLUS: there the next
    // batch looks its UIDs up on the same connection (resolvePending), which must not overlap it.
    if (!lane.target.appendUids) {
      await check();
      return { check: undefined };
    }
    return { check };
  };
  const shared = new SharedCopy(
    sourcePath,
    batches(toCopy, ctx.options),
    async (lane) => {
      // A helper lane reads the folder on its own source connection and selects the target folder
      // on its own target connection (for the sizes noteAltered compares).
      const [status] = await Promise.all([
        lane.source.openFolder(sourcePath, true),
        lane.target.openFolder(pair.targetPath, false),
      ]);
      if (status.uidValidity !== sourceStatus.uidValidity)
        throw new TrancheError('connection-lost', `${sourcePath} changed UIDVALIDITY during the pass`);
    },
    copyBatch,
  );
  // A folder with batches to spare is offered to idle connections (UID ranges copied side by side);
  // only with UIDPLUS, so every lane learns its own UIDs and no lane has to match by content.
  const board =
    ctx.split && target.appendUids && toCopy.length > ctx.options.batchMessages ? ctx.split : undefined;
  board?.post(shared);
  await shared.join({ source, target }, false);
  board?.withdraw(shared);
  await shared.finished();
  cp.unreadable = ctx.unreadable.entries().map(([uid]) => uid);
  report.skipped = report.skipped.filter((item) => item.kind !== 'unreadable-at-source');
  for (const [uid, words] of ctx.unreadable.entries()) {
    report.skipped.push({
      kind: 'unreadable-at-source',
      folder: sourcePath,
      uid,
      size: bySourceUid.get(uid)?.size ?? 0,
      reason: `the source could not give this message (tried ${READS_PER_MESSAGE} times, on its own on a fresh connection): ${words}`,
    });
  }

  // Messages copied in this pass carry their flags already; compare only when others are mapped.
  if (cp.map.size > copiedNow.size) {
    report.flagsUpdated = await syncFlags(
      ctx,
      cp,
      sourceMessages,
      sourceStatus.highestModseq,
      copiedNow,
      flags,
    );
  }
  // Keywords left off: one warning for the folder, however many messages and attempts.
  report.altered = report.altered.filter((item) => item.kind !== 'keywords-not-kept');
  const known = cp.keywordsNotKept ?? [];
  cp.keywordsNotKept = flags.allNotKept();
  const keywords = keywordsItem(sourcePath, notKept, known);
  if (keywords) report.altered.push(keywords);
  report.keywordsNotKept = cp.keywordsNotKept;
  cp.highestModseq = sourceStatus.highestModseq?.toString();

  // The source's count once its deletions are across: a later pass that finds it again, with the
  // same UIDNEXT, has no deletion to bring across and leaves the folder unopened (unchanged-folder.ts).
  let countAfterDeletes = ctx.options.propagateDeletes ? sourceStatus.messages : undefined;
  if (ctx.options.propagateDeletes && cp.map.size > 0) {
    // Below the listing's start the source says which UIDs it still has, as ranges (ESEARCH).
    const present = from > 1 ? await source.uidsPresent(from - 1) : [];
    for (const m of sourceMessages) addRange(present, m.uid, m.uid);
    countAfterDeletes = rangeSize(present);
    const vanished = vanishedPairs(cp.map, present);
    if (vanished.length > 0) {
      await target.expunge(vanished.map(([, t]) => t));
      for (const [s] of vanished) cp.map.delete(s);
      report.deleted = vanished.length;
    }
  }
  cp.sourceMessagesAfterDeletes = countAfterDeletes;
  cp.sourceUidNext = nextListingStart(sourceMessages, cp.map, sourceStatus, from);
  await save(cp);
  return report;
}

/** Finds on the target the messages of a batch that may have been appended; returns how many were there. */
async function resolvePending(
  ctx: FolderSyncContext,
  lane: Lane,
  checkpoint: FolderCheckpoint,
  pending: PendingBatch,
  bySourceUid: Map<number, MessageMeta>,
): Promise<number> {
  const ours = checkpoint.map.targetsFrom(pending.targetUidFloor);
  const targetNew = (await lane.target.listMessages(pending.targetUidFloor)).filter((m) => !ours.has(m.uid));
  const sourcePending = pending.messages
    .filter((p) => !checkpoint.map.has(p.sourceUid))
    .map((p) => bySourceUid.get(p.sourceUid))
    .filter((m): m is MessageMeta => m !== undefined);
  const matches = await matchByContent(
    lane.source,
    sourcePending.filter((m) => !ctx.unreadable.alone(m.uid)),
    lane.target,
    targetNew,
  );
  for (const [s, t] of matches) checkpoint.map.set(s, t);
  return countNew(ctx, matches.keys());
}

/** How many of these source UIDs had not landed yet in this pass (they are counted now). */
function countNew(ctx: FolderSyncContext, uids: Iterable<number>): number {
  let n = 0;
  for (const uid of uids) {
    if (ctx.landed.has(uid)) continue;
    ctx.landed.add(uid);
    n++;
  }
  return n;
}

/**
 * One side's folder as its opening settled; a refusal that is the folder's (not the connection's:
 * NO or BAD) makes the folder a skipped item with the server's words, and undefined is returned.
 */
function openedOrSkipped(
  ctx: FolderSyncContext,
  opened: PromiseSettledResult<FolderStatus>,
  kind: 'folder-unreadable-at-source' | 'folder-refused-by-target',
  folder: string,
): FolderStatus | undefined {
  if (opened.status === 'fulfilled') return opened.value;
  const typed = toTrancheError(opened.reason);
  if (typed.type !== 'server') throw typed;
  ctx.report.skipped.push({ kind, folder, uid: 0, size: 0, reason: typed.message });
  return undefined;
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
  folderFlags: FolderFlags,
): Promise<number> {
  let wanted: { uid: number; flags: string[] }[];
  let current: Map<number, string> | undefined;
  if (highestModseq !== undefined && checkpoint.highestModseq !== undefined) {
    const since = BigInt(checkpoint.highestModseq);
    // The same HIGHESTMODSEQ as the last pass found: nothing changed since, nothing to ask.
    wanted = highestModseq === since ? [] : await ctx.source.changedSince(since);
  } else {
    wanted = sourceMessages;
    const targetMessages = await ctx.target.listMessages();
    current = new Map(targetMessages.map((m) => [m.uid, m.flags.join(' ')]));
  }
  // Messages that want the same flags share a STORE: in a large folder each command costs the
  // server a mailbox sync (tens of ms in a 60,000-message Dovecot folder), not each message.
  const bySet = new Map<string, { flags: string[]; targetUids: number[] }>();
  let updated = 0;
  for (const { uid, flags: all } of wanted) {
    const targetUid = checkpoint.map.get(uid);
    if (targetUid === undefined || copiedNow.has(uid)) continue;
    // Keywords the target does not keep are left out of the comparison too (and recorded).
    const flags = folderFlags.kept(uid, all);
    const key = flags.join(' ');
    if (current && (!current.has(targetUid) || current.get(targetUid) === key)) continue;
    const group = bySet.get(key) ?? { flags, targetUids: [] };
    group.targetUids.push(targetUid);
    bySet.set(key, group);
    updated++;
  }
  const updates: Promise<void>[] = [];
  for (const { flags, targetUids } of bySet.values()) {
    for (let i = 0; i < targetUids.length; i += STORE_UIDS) {
      ctx.signal?.throwIfAborted();
      const uids = targetUids.slice(i, i + STORE_UIDS);
      // Pipelined: every STORE goes out at once and is answered in order.
      updates.push(
        ctx.target.setFlags(uids, flags).catch((error: unknown) => {
          const typed = toTrancheError(error);
          throw new TrancheError(
            typed.type,
            `flags of ${uids.length} messages in ${checkpoint.sourceFolder}: ${typed.message}`,
            { cause: error, retryable: typed.retryable },
          );
        }),
      );
    }
  }
  const outcomes = await Promise.allSettled(updates);
  const broken = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (broken) throw toTrancheError(broken.reason);
  return updated;
}

/** Whether a message is larger than the target takes: then it is a skipped item with the limit, and never sent. */
function tooLarge(
  report: FolderReport,
  m: MessageMeta,
  limit: SizeLimit | undefined,
  folder: string,
): boolean {
  if (!limit || m.size <= limit.bytes) return false;
  report.skipped.push({
    kind: 'too-large-for-target',
    folder,
    uid: m.uid,
    size: m.size,
    reason: `${m.size} bytes, larger than ${limit.source} of ${limit.bytes} bytes: not sent`,
  });
  return true;
}

/** Notes the flags a message is given, and passes them on. */
function given(sent: Map<number, string[]>, uid: number, flags: string[]): string[] {
  sent.set(uid, flags);
  return flags;
}
