import type { CollectionKind } from '../../davstore/dav-store.js';

/** An item that did not move, kept so a person can see what and why. */
export interface DavSkippedItem {
  collection: string;
  /** The item's UID, or its name when it has none. */
  uid: string;
  size: number;
  reason: string;
}

/** What one collection's pass did. */
export interface DavCollectionReport {
  kind: CollectionKind;
  source: string;
  target: string;
  /** Whether the collection was created on the target in this pass. */
  created: boolean;
  /** How the source's changes were found: a sync-collection delta, or a full listing. */
  listing: 'delta' | 'full';
  sourceItems: number;
  copied: number;
  updated: number;
  /** Items found already on the target by content (after a crash or without a checkpoint). */
  matched: number;
  deleted: number;
  bytes: number;
  skipped: DavSkippedItem[];
}

/** Items moved per kind. */
export interface KindTotals {
  collections: number;
  items: number;
  copied: number;
  updated: number;
  matched: number;
  deleted: number;
  skipped: number;
  bytes: number;
}

/** How a DAV sync ended. */
export type DavSyncStatus = 'done' | 'done-with-skipped' | 'failed';

/** The summary of one account's calendars and contacts. */
export interface DavSyncReport {
  status: DavSyncStatus;
  collections: DavCollectionReport[];
  totals: Record<CollectionKind, KindTotals>;
  skipped: DavSkippedItem[];
  durationMs: number;
  error: { type: string; message: string } | null;
}

/** Empty totals. */
export function emptyTotals(): KindTotals {
  return { collections: 0, items: 0, copied: 0, updated: 0, matched: 0, deleted: 0, skipped: 0, bytes: 0 };
}

/** Sums the collections of a report per kind. */
export function totalsOf(collections: DavCollectionReport[]): Record<CollectionKind, KindTotals> {
  const totals = { calendar: emptyTotals(), addressbook: emptyTotals() };
  for (const c of collections) {
    const t = totals[c.kind];
    t.collections++;
    t.items += c.sourceItems;
    t.copied += c.copied;
    t.updated += c.updated;
    t.matched += c.matched;
    t.deleted += c.deleted;
    t.skipped += c.skipped.length;
    t.bytes += c.bytes;
  }
  return totals;
}
