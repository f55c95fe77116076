import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** What the copy remembers of one source item: the source ETag it copied, and where the copy is. */
export interface ItemState {
  /** A short hash of the source ETag last copied; '' once the item is gone from the source. */
  sourceTag: string;
  /** The item's name in the target collection (usually the source's). */
  targetName: string;
  /** The target's ETag for the copy ('' when the server gave none), for If-Match. */
  targetEtag: string;
}

/** A short, stable stand-in for a source ETag: only equality is ever asked of it. */
export function sourceTag(etag: string): string {
  return createHash('sha256').update(etag).digest('base64url').slice(0, 12);
}

/** The compact source item → target item map of one collection, stored deflated. */
export class ItemMap {
  readonly #items = new Map<string, ItemState>();

  get size(): number {
    return this.#items.size;
  }

  get(name: string): ItemState | undefined {
    return this.#items.get(name);
  }

  set(name: string, state: ItemState): void {
    this.#items.set(name, state);
  }

  delete(name: string): void {
    this.#items.delete(name);
  }

  entries(): IterableIterator<[string, ItemState]> {
    return this.#items.entries();
  }

  /** Rows [name, tag, target etag, target name if different], deflated. */
  encode(): Uint8Array {
    const rows = [...this.#items].map(([name, s]) =>
      s.targetName === name
        ? [name, s.sourceTag, s.targetEtag]
        : [name, s.sourceTag, s.targetEtag, s.targetName],
    );
    return deflateRawSync(Buffer.from(JSON.stringify(rows)));
  }

  static decode(bytes: Uint8Array): ItemMap {
    const map = new ItemMap();
    if (bytes.length === 0) return map;
    const rows = JSON.parse(inflateRawSync(bytes).toString('utf8')) as string[][];
    for (const [name, tag, etag, targetName] of rows) {
      if (name === undefined) continue;
      map.set(name, { sourceTag: tag ?? '', targetEtag: etag ?? '', targetName: targetName ?? name });
    }
    return map;
  }
}
