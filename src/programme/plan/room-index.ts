/**
 * The room left on each day of the planning window, with a max segment tree over it, so "the first
 * day at or after D with room for one more mailbox of B bytes" costs O(log days) whatever the
 * calendar looks like (full days, days full by bytes only, blackouts): first-fit over millions of
 * mailboxes never walks the days one by one.
 */
export class RoomIndex {
  /** Mailboxes each day can still take (negative when kept mailboxes overfill it). */
  readonly mailboxes: Float64Array;
  /** Bytes each day can still take (Infinity when unlimited). */
  readonly bytes: Float64Array;
  private readonly size: number;
  /** Leaves: a day's free bytes while it has room for a mailbox, else -Infinity; inner nodes: the max. */
  private readonly tree: Float64Array;

  constructor(mailboxes: Float64Array, bytes: Float64Array) {
    this.mailboxes = mailboxes;
    this.bytes = bytes;
    let size = 1;
    while (size < mailboxes.length) size *= 2;
    this.size = size;
    this.tree = new Float64Array(2 * size).fill(-Infinity);
    for (let d = 0; d < mailboxes.length; d++) this.tree[size + d] = this.leaf(d);
    for (let i = size - 1; i >= 1; i--) this.tree[i] = Math.max(this.tree[2 * i]!, this.tree[2 * i + 1]!);
  }

  /** The number of days in the window. */
  get days(): number {
    return this.mailboxes.length;
  }

  private leaf(day: number): number {
    return this.mailboxes[day]! >= 1 ? this.bytes[day]! : -Infinity;
  }

  /** Takes COUNT mailboxes of BYTES in all from DAY (kept mailboxes may take it below zero). */
  take(day: number, count: number, bytes: number): void {
    this.mailboxes[day]! -= count;
    this.bytes[day]! -= bytes;
    let i = this.size + day;
    this.tree[i] = this.leaf(day);
    for (i >>= 1; i >= 1; i >>= 1) this.tree[i] = Math.max(this.tree[2 * i]!, this.tree[2 * i + 1]!);
  }

  /** The first day at or after FROM with room for one more mailbox of BYTES, or -1. */
  firstFit(from: number, bytes: number): number {
    if (from >= this.mailboxes.length) return -1;
    let i = this.size + Math.max(0, from);
    if (this.tree[i]! < bytes) {
      // Climb while i is a right child, then step to the right sibling; stop at the first subtree with room.
      for (;;) {
        while (i & 1) {
          if (i === 1) return -1;
          i >>= 1;
        }
        i++;
        if (this.tree[i]! >= bytes) break;
      }
    }
    while (i < this.size) {
      i *= 2;
      if (this.tree[i]! < bytes) i++;
    }
    return i - this.size;
  }
}
