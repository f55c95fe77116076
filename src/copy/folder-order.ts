import type { FolderPair } from './folder-map.js';

/**
 * The order folders are started in: the largest first, so the folder that takes longest is not
 * the last to begin while the other connections sit idle (longest job first). Sizes are the
 * message counts the source gave with its folder list (LIST-STATUS); without them INBOX, usually
 * the largest, goes first and the rest keep the listing's order.
 */
export function largestFirst(pairs: readonly FolderPair[]): FolderPair[] {
  const rank = (pair: FolderPair): number =>
    pair.source.messages ?? (pair.logicalName === 'INBOX' ? Number.MAX_SAFE_INTEGER : -1);
  // Array.prototype.sort is stable: equal ranks keep the listing's order.
  return [...pairs].sort((a, b) => rank(b) - rank(a));
}
