import type { UidRange } from './mail-store.js';

/**
 * Adds one range to ascending, non-touching ranges, joining neighbours: UIDs added in order cost
 * one range per hole, not one entry per message. Out-of-order input is placed where it belongs.
 */
export function addRange(ranges: UidRange[], first: number, last: number): void {
  const tail = ranges.at(-1);
  if (!tail || first > tail.last + 1) {
    ranges.push({ first, last });
    return;
  }
  if (first >= tail.first) {
    tail.last = Math.max(tail.last, last);
    return;
  }
  // Rare (servers answer in ascending order): rebuild in order.
  const all = [...ranges, { first, last }].sort((p, q) => p.first - q.first);
  ranges.length = 0;
  for (const r of all) addRange(ranges, r.first, r.last);
}

/** How many UIDs the ranges hold. */
export function rangeSize(ranges: readonly UidRange[]): number {
  return ranges.reduce((n, r) => n + r.last - r.first + 1, 0);
}
