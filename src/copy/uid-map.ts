/** A run of the map: `length` source UIDs from `source` held by as many target UIDs from `target`. */
export interface UidRun {
  source: number;
  target: number;
  length: number;
}

/**
 * Which target UID holds the copy of which source UID, for one folder. Appends in order give
 * consecutive UIDs on both sides, so the map is kept as sorted runs (source start, target start,
 * length), in memory as on disk (32-bit numbers, 12 bytes a run): a folder copied in one go is one
 * run whatever its size, so a delta pass over a 60,000-message folder holds a few runs, not 60,000
 * pairs. Look-ups are binary searches over the runs.
 */
export class UidMap {
  /** Sorted by source start, never overlapping, never two that could be one. */
  readonly #runs: UidRun[] = [];
  #size = 0;

  /** Number of mapped messages. */
  get size(): number {
    return this.#size;
  }

  /** Number of runs (what the map costs in memory and on disk: 12 bytes each). */
  get runCount(): number {
    return this.#runs.length;
  }

  /** Index of the run holding sourceUid, or -(insertion point) - 1. */
  #find(sourceUid: number): number {
    let low = 0;
    let high = this.#runs.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const run = this.#runs[mid]!;
      if (sourceUid < run.source) high = mid - 1;
      else if (sourceUid >= run.source + run.length) low = mid + 1;
      else return mid;
    }
    return -low - 1;
  }

  /** The target UID of a source UID, if copied. */
  get(sourceUid: number): number | undefined {
    const at = this.#find(sourceUid);
    if (at < 0) return undefined;
    const run = this.#runs[at]!;
    return run.target + (sourceUid - run.source);
  }

  has(sourceUid: number): boolean {
    return this.#find(sourceUid) >= 0;
  }

  set(sourceUid: number, targetUid: number): void {
    let at = this.#find(sourceUid);
    if (at >= 0) {
      if (this.get(sourceUid) === targetUid) return;
      this.delete(sourceUid);
      at = this.#find(sourceUid);
    }
    const index = -at - 1;
    const before = this.#runs[index - 1];
    const after = this.#runs[index];
    const extendsBefore =
      before !== undefined &&
      before.source + before.length === sourceUid &&
      before.target + before.length === targetUid;
    const extendsAfter =
      after !== undefined && after.source === sourceUid + 1 && after.target === targetUid + 1;
    if (extendsBefore && extendsAfter) {
      before.length += 1 + after.length;
      this.#runs.splice(index, 1);
    } else if (extendsBefore) before.length++;
    else if (extendsAfter) {
      after.source--;
      after.target--;
      after.length++;
    } else this.#runs.splice(index, 0, { source: sourceUid, target: targetUid, length: 1 });
    this.#size++;
  }

  delete(sourceUid: number): void {
    const at = this.#find(sourceUid);
    if (at < 0) return;
    const run = this.#runs[at]!;
    const offset = sourceUid - run.source;
    const tail = { source: sourceUid + 1, target: run.target + offset + 1, length: run.length - offset - 1 };
    run.length = offset;
    const keep = [run, tail].filter((r) => r.length > 0);
    this.#runs.splice(at, 1, ...keep);
    this.#size--;
  }

  /** The runs, by source UID (read-only views: callers must not change them). */
  runs(): readonly Readonly<UidRun>[] {
    return this.#runs;
  }

  /** Every (source UID, target UID) pair, by source UID, one at a time. */
  *pairs(): IterableIterator<[number, number]> {
    for (const run of this.#runs) {
      for (let i = 0; i < run.length; i++) yield [run.source + i, run.target + i];
    }
  }

  /** Every (source UID, target UID) pair, by source UID, as one array (small maps and tests). */
  entries(): [number, number][] {
    return [...this.pairs()];
  }

  /** How many mapped source UIDs are below `uid`. */
  countBelow(uid: number): number {
    let n = 0;
    for (const run of this.#runs) {
      if (run.source >= uid) break;
      n += Math.min(run.length, uid - run.source);
    }
    return n;
  }

  /** The mapped target UIDs >= floor (those of recent batches: few). */
  targetsFrom(floor: number): Set<number> {
    const out = new Set<number>();
    for (const run of this.#runs) {
      for (let t = Math.max(floor, run.target); t < run.target + run.length; t++) out.add(t);
    }
    return out;
  }

  /** The highest source UID mapped, or 0. */
  highestSourceUid(): number {
    const last = this.#runs.at(-1);
    return last ? last.source + last.length - 1 : 0;
  }

  /** The highest target UID mapped, or 0. */
  highestTargetUid(): number {
    let max = 0;
    for (const run of this.#runs) max = Math.max(max, run.target + run.length - 1);
    return max;
  }

  /** Serialises as runs of (source start, target start, length), little-endian uint32. */
  encode(): Buffer {
    const buffer = Buffer.alloc(this.#runs.length * 12);
    this.#runs.forEach((run, i) => {
      buffer.writeUInt32LE(run.source, i * 12);
      buffer.writeUInt32LE(run.target, i * 12 + 4);
      buffer.writeUInt32LE(run.length, i * 12 + 8);
    });
    return buffer;
  }

  /** Reads what encode() wrote (runs in any order, as older versions may have written them). */
  static decode(buffer: Uint8Array | null | undefined): UidMap {
    const map = new UidMap();
    if (!buffer) return map;
    const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const runs: UidRun[] = [];
    for (let offset = 0; offset + 12 <= view.length; offset += 12) {
      const length = view.readUInt32LE(offset + 8);
      if (length > 0)
        runs.push({ source: view.readUInt32LE(offset), target: view.readUInt32LE(offset + 4), length });
    }
    runs.sort((a, b) => a.source - b.source);
    for (const run of runs) map.#append(run);
    return map;
  }

  /** Adds a run above every run held (decode's sorted input), joined to the last when it continues it. */
  #append(run: UidRun): void {
    const last = this.#runs.at(-1);
    if (last && run.source < last.source + last.length) {
      // Overlapping runs never come from encode(): take them pair by pair, the later winning.
      for (let i = 0; i < run.length; i++) this.set(run.source + i, run.target + i);
      return;
    }
    if (last && last.source + last.length === run.source && last.target + last.length === run.target)
      last.length += run.length;
    else this.#runs.push({ ...run });
    this.#size += run.length;
  }
}
