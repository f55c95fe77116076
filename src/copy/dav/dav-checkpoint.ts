import type { CollectionKind } from '../../davstore/dav-store.js';
import type { ItemMap } from './item-map.js';

/** What the DAV copy remembers of one collection between runs. */
export interface DavCollectionCheckpoint {
  kind: CollectionKind;
  /** The source collection's path. */
  sourceCollection: string;
  /** The target collection's path. */
  targetCollection: string;
  /** The source's sync token after the last completed pass (undefined: list everything next time). */
  syncToken: string | undefined;
  items: ItemMap;
  /** Source items skipped (refused, in conflict): tried again on every pass. */
  retry: string[];
}

/** Where DAV checkpoints are kept: the copy needs only these two calls. */
export interface DavCheckpointStore {
  load(accountKey: string, sourceCollection: string): Promise<DavCollectionCheckpoint | undefined>;
  save(accountKey: string, checkpoint: DavCollectionCheckpoint): Promise<void>;
}
