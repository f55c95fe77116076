import type { UidRange } from '../../mail-store.js';
import { addRange } from '../../uid-ranges.js';
import type { RawResponse } from './response-reader.js';

/**
 * Adds the UIDs of a sequence set ("1:5,7,9:12", as ESEARCH's ALL gives it) to ascending ranges,
 * joining neighbours: a folder without holes stays one range whatever its size.
 */
export function addSequenceSet(ranges: UidRange[], set: string): void {
  for (const part of set.split(',')) {
    const [a, b] = part.split(':');
    const x = Number(a);
    const y = b === undefined ? x : Number(b);
    if (!Number.isInteger(x) || !Number.isInteger(y)) continue;
    addRange(ranges, Math.min(x, y), Math.max(x, y));
  }
}

/** What one `* ESEARCH` or `* SEARCH` response adds: ranges of UIDs, and COUNT when asked for. */
export function readSearchResponse(response: RawResponse, ranges: UidRange[]): { count?: number } {
  const line = response.lines.join(' ');
  const esearch = /^\* ESEARCH\b(.*)$/i.exec(line);
  if (esearch) {
    const rest = esearch[1]!;
    const all = /\bALL ([0-9:,]+)/i.exec(rest);
    if (all) addSequenceSet(ranges, all[1]!);
    const count = /\bCOUNT (\d+)/i.exec(rest);
    return count ? { count: Number(count[1]) } : {};
  }
  const plain = /^\* SEARCH\b(.*)$/i.exec(line);
  if (plain) {
    // Without ESEARCH every UID comes as its own number: read them without keeping the list.
    for (const word of plain[1]!.trim().split(/\s+/)) {
      const uid = Number(word);
      if (word !== '' && Number.isInteger(uid)) addRange(ranges, uid, uid);
    }
  }
  return {};
}
