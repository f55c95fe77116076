/**
 * Which target UID holds the copy of which source UID, for one folder. Kept compact on disk: appends
 * in order give consecutive UIDs on both sides, so the map is stored as runs (source start, target
 * start, length) of 32-bit numbers: a folder copied in one go is 12 bytes, whatever its size.
 */
export class UidMap {
  readonly #targets = new Map<number, number>();

  /** Number of mapped messages. */
  get size(): number {
    return this.#targets.size;
  }

  /** The target UID of a source UID, if copied. */
  get(sourceUid: number): number | undefined {
    return this.#targets.get(sourceUid);
  }

  has(sourceUid: number): boolean {
    return this.#targets.has(sourceUid);
  }

  set(sourceUid: number, targetUid: number): void {
    this.#targets.set(sourceUid, targetUid);
  }

  delete(sourceUid: number): void {
    this.#targets.delete(sourceUid);
  }

  /** Every (source UID, target UID) pair, by source UID. */
  entries(): [number, number][] {
    return [...this.#targets.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** The highest source UID mapped, or 0. */
  highestSourceUid(): number {
    let max = 0;
    for (const uid of this.#targets.keys()) if (uid > max) max = uid;
    return max;
  }

  /** The highest target UID mapped, or 0. */
  highestTargetUid(): number {
    let max = 0;
    for (const uid of this.#targets.values()) if (uid > max) max = uid;
    return max;
  }

  /** Serialises as runs of (source start, target start, length), little-endian uint32. */
  encode(): Buffer {
    const runs: number[] = [];
    for (const [source, target] of this.entries()) {
      const last = runs.length - 3;
      if (
        last >= 0 &&
        runs[last]! + runs[last + 2]! === source &&
        runs[last + 1]! + runs[last + 2]! === target
      ) {
        runs[last + 2]!++;
      } else {
        runs.push(source, target, 1);
      }
    }
    const buffer = Buffer.alloc(runs.length * 4);
    runs.forEach((value, i) => buffer.writeUInt32LE(value, i * 4));
    return buffer;
  }

  /** Reads what encode() wrote. */
  static decode(buffer: Uint8Array | null | undefined): UidMap {
    const map = new UidMap();
    if (!buffer) return map;
    const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    for (let offset = 0; offset + 12 <= view.length; offset += 12) {
      const source = view.readUInt32LE(offset);
      const target = view.readUInt32LE(offset + 4);
      const length = view.readUInt32LE(offset + 8);
      for (let i = 0; i < length; i++) map.set(source + i, target + i);
    }
    return map;
  }
}
