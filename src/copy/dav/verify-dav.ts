import type { CollectionKind, DavCollection, DavStore } from '../../davstore/dav-store.js';
import { itemContent } from './content-hash.js';
import { differingProperties, findTargetCollection } from './collection-plan.js';

/** One collection's comparison. */
export interface DavCollectionVerify {
  kind: CollectionKind;
  source: string;
  target: string | undefined;
  sourceItems: number;
  targetItems: number;
  differences: string[];
}

/** The comparison of every calendar and address book of an account. */
export interface DavVerifyReport {
  identical: boolean;
  collections: DavCollectionVerify[];
  durationMs: number;
}

async function contents(store: DavStore, collection: DavCollection): Promise<Map<string, string[]>> {
  const refs = await store.listItems(collection);
  const byKey = new Map<string, string[]>();
  for await (const item of store.getItems(
    collection,
    refs.map((r) => r.name),
  )) {
    const content = itemContent(item.data);
    const key = content.uid ?? `name:${item.name}`;
    byKey.set(key, [...(byKey.get(key) ?? []), content.hash]);
  }
  return byKey;
}

/** Compares source and target collection by collection, item by item, by content (UID and a hash that survives server rewrites). */
export async function verifyDavAccount(
  source: DavStore,
  target: DavStore,
  kinds: CollectionKind[],
): Promise<DavVerifyReport> {
  const started = Date.now();
  const sources = (await source.listCollections()).filter((c) => kinds.includes(c.kind));
  const targets = await target.listCollections();
  const out: DavCollectionVerify[] = [];
  for (const s of sources) {
    const t = findTargetCollection(s, targets, target, undefined);
    const report: DavCollectionVerify = {
      kind: s.kind,
      source: s.href,
      target: t?.href,
      sourceItems: 0,
      targetItems: 0,
      differences: [],
    };
    out.push(report);
    const a = await contents(source, s);
    report.sourceItems = [...a.values()].reduce((n, l) => n + l.length, 0);
    if (!t) {
      report.differences.push('collection missing on the target');
      continue;
    }
    const props = differingProperties(s, t);
    if (props.length > 0) report.differences.push(`collection properties differ: ${props.join(', ')}`);
    const b = await contents(target, t);
    report.targetItems = [...b.values()].reduce((n, l) => n + l.length, 0);
    for (const [key, hashes] of a) {
      const there = b.get(key);
      if (!there) report.differences.push(`missing on the target: ${key}`);
      else if ([...hashes].sort().join() !== [...there].sort().join())
        report.differences.push(`content differs: ${key}`);
    }
    for (const key of b.keys()) if (!a.has(key)) report.differences.push(`only on the target: ${key}`);
  }
  return {
    identical: out.every((c) => c.differences.length === 0),
    collections: out,
    durationMs: Date.now() - started,
  };
}
