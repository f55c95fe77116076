import type { Logger } from '../../log/logger.js';
import type { DavCollection, DavItem, DavItemRef, DavStore } from '../../davstore/dav-store.js';
import { itemContent } from './content-hash.js';
import type { DavCollectionCheckpoint } from './dav-checkpoint.js';
import type { DavCollectionReport } from './dav-sync-report.js';
import { sourceTag } from './item-map.js';
import { WritePool } from './write-pool.js';

/** Options of one collection's pass. */
export interface DavCollectionOptions {
  propagateDeletes: boolean;
  /** Writes in flight at once. */
  concurrency: number;
  /** Items written between checkpoint saves. */
  checkpointEvery: number;
}

/** What a collection's pass works with. */
export interface DavCollectionPass {
  source: DavStore;
  target: DavStore;
  sourceCollection: DavCollection;
  targetCollection: DavCollection;
  checkpoint: DavCollectionCheckpoint;
  save: (checkpoint: DavCollectionCheckpoint) => Promise<void>;
  options: DavCollectionOptions;
  report: DavCollectionReport;
  logger: Logger;
  signal?: AbortSignal;
}

/** The source's changes since the checkpoint: a delta when the token still holds, else everything. */
async function sourceChanges(
  pass: DavCollectionPass,
): Promise<{ refs: DavItemRef[]; deleted: string[]; token: string | undefined; full: boolean }> {
  const { source, sourceCollection, checkpoint } = pass;
  let delta = await source.syncItems(sourceCollection, checkpoint.syncToken);
  if (delta.kind === 'delta' && checkpoint.syncToken) {
    return { refs: delta.changed, deleted: delta.deleted, token: delta.token, full: false };
  }
  if (delta.kind === 'token-refused') {
    pass.logger.info({ collection: sourceCollection.href }, 'sync token refused: listing everything');
    delta = await source.syncItems(sourceCollection, undefined);
  }
  const listing = delta.kind === 'delta' ? delta.changed : await source.listItems(sourceCollection);
  const present = new Set(listing.map((r) => r.name));
  const deleted = [...checkpoint.items.entries()]
    .filter(([name]) => !present.has(name))
    .map(([name]) => name);
  return { refs: listing, deleted, token: delta.kind === 'delta' ? delta.token : undefined, full: true };
}

/**
 * One collection, source to target, exactly once: new items created with If-None-Match: *, changed
 * ones replaced with If-Match; a failed precondition means an earlier run may have written it, so
 * the target's copy is read and compared by content before anything else is done.
 */
export async function syncDavCollection(pass: DavCollectionPass): Promise<void> {
  const { checkpoint, report } = pass;
  const changes = await sourceChanges(pass);
  report.listing = changes.full ? 'full' : 'delta';
  const retry = new Set(checkpoint.retry);
  const skippedNow = new Set<string>();
  skippedBy.set(pass, skippedNow);
  const todo = changes.refs.filter((ref) => {
    const state = checkpoint.items.get(ref.name);
    return retry.has(ref.name) || !state || state.sourceTag !== sourceTag(ref.etag);
  });
  // Items skipped before and not in a delta are fetched again too.
  for (const name of retry) if (!changes.refs.some((r) => r.name === name)) todo.push({ name, etag: '' });
  report.sourceItems = changes.full ? changes.refs.length : report.sourceItems;
  const pool = new WritePool(pass.options.concurrency, pass.options.checkpointEvery, () =>
    pass.save(checkpoint),
  );
  const uids = new Map<string, string>();
  for await (const item of pass.source.getItems(
    pass.sourceCollection,
    todo.map((r) => r.name),
  )) {
    pass.signal?.throwIfAborted();
    await pool.add(() => copyItem(pass, item, uids));
  }
  await pool.drain();
  await applyDeletions(pass, changes.deleted);
  if (!changes.full)
    report.sourceItems = [...checkpoint.items.entries()].filter(([, s]) => s.sourceTag !== '').length;
  checkpoint.syncToken = changes.token;
  checkpoint.retry = [...skippedNow];
  await pass.save(checkpoint);
}

// The items skipped in a pass; kept beside the checkpoint's own list until the pass ends, so an
// interrupted pass forgets no item that is still to be tried again.
const skippedBy = new WeakMap<DavCollectionPass, Set<string>>();

function skip(pass: DavCollectionPass, item: DavItem, uid: string | undefined, reason: string): void {
  pass.report.skipped.push({
    collection: pass.sourceCollection.href,
    uid: uid ?? item.name,
    size: item.data.length,
    reason,
  });
  skippedBy.get(pass)?.add(item.name);
  if (!pass.checkpoint.retry.includes(item.name)) pass.checkpoint.retry.push(item.name);
}

async function copyItem(pass: DavCollectionPass, item: DavItem, uids: Map<string, string>): Promise<void> {
  const { target, targetCollection, checkpoint, report } = pass;
  const content = itemContent(item.data);
  if (content.uid !== undefined) {
    const other = uids.get(content.uid);
    if (other !== undefined && other !== item.name) {
      skip(pass, item, content.uid, `duplicate UID in the source collection (also in ${other}): not merged`);
      return;
    }
    uids.set(content.uid, item.name);
  }
  const contentType =
    item.contentType ||
    (pass.sourceCollection.kind === 'calendar'
      ? 'text/calendar; charset=utf-8'
      : 'text/vcard; charset=utf-8');
  const state = checkpoint.items.get(item.name);
  const targetName = state?.targetName ?? item.name;
  let outcome =
    state && state.targetEtag !== ''
      ? await target.updateItem(targetCollection, targetName, item.data, contentType, state.targetEtag)
      : await target.createItem(targetCollection, targetName, item.data, contentType);
  let kind: 'copied' | 'updated' | 'matched' = state ? 'updated' : 'copied';
  if (outcome.kind === 'precondition-failed') {
    // Something is there (or it changed): an earlier, interrupted run may have written this very item.
    const [there] = await collect(target.getItems(targetCollection, [targetName]));
    if (!there) {
      outcome = await target.createItem(targetCollection, targetName, item.data, contentType);
    } else if (itemContent(there.data).hash === content.hash) {
      outcome = { kind: 'written', etag: there.etag };
      kind = 'matched';
    } else if (state) {
      // Ours, changed since: the source is what the move makes true.
      outcome = await target.updateItem(targetCollection, targetName, item.data, contentType, there.etag);
    } else {
      skip(pass, item, content.uid, 'conflict: a different item with this name is already on the target');
      return;
    }
  }
  if (outcome.kind === 'refused') {
    const why = outcome.uidConflict ? 'the target already has this UID under another name' : outcome.words;
    skip(pass, item, content.uid, why);
    return;
  }
  if (outcome.kind === 'precondition-failed') {
    skip(pass, item, content.uid, 'changed on the target while being written; tried again next pass');
    return;
  }
  checkpoint.items.set(item.name, {
    sourceTag: sourceTag(item.etag),
    targetName,
    targetEtag: outcome.etag ?? '',
  });
  report[kind]++;
  if (kind !== 'matched') report.bytes += item.data.length;
}

async function applyDeletions(pass: DavCollectionPass, deleted: string[]): Promise<void> {
  const { checkpoint } = pass;
  if (!pass.options.propagateDeletes) {
    // Kept, marked gone, so a later pass with --propagate-deletes still removes the copy.
    for (const name of deleted) {
      const state = checkpoint.items.get(name);
      if (state) checkpoint.items.set(name, { ...state, sourceTag: '' });
    }
    return;
  }
  // This pass's deletions, and items found gone in earlier passes without the flag.
  const gone = new Set(deleted);
  for (const [name, state] of checkpoint.items.entries()) if (state.sourceTag === '') gone.add(name);
  for (const name of gone) {
    const state = checkpoint.items.get(name);
    if (!state) continue;
    const outcome = await pass.target.deleteItem(
      pass.targetCollection,
      state.targetName,
      state.targetEtag || undefined,
    );
    if (outcome.kind === 'written') {
      checkpoint.items.delete(name);
      pass.report.deleted++;
    } else {
      pass.report.skipped.push({
        collection: pass.sourceCollection.href,
        uid: name,
        size: 0,
        reason:
          outcome.kind === 'refused'
            ? `not deleted: ${outcome.words}`
            : 'not deleted: changed on the target since it was copied',
      });
    }
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
