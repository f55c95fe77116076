import type { SkippedItem } from './sync-report.js';

/** Why keywords were left off: the target takes none of its own, or it dropped the ones given. */
type NotKeptWhy = 'closed' | 'dropped';

/** Keywords a folder's target does not keep, and the source messages that carried them (shared by a pass's attempts). */
export type KeywordsNotKept = Map<string, { why: NotKeptWhy; uids: Set<number> }>;

const isSystemFlag = (flag: string): boolean => flag.startsWith('\\');
const lower = (flags: Iterable<string>): Set<string> => new Set([...flags].map((f) => f.toLowerCase()));

/**
 * The flags one target folder keeps. A closed flag set (PERMANENTFLAGS without `\*`, as Exchange
 * Online's, or a profile's list when the server does not say) keeps only the keywords it lists; the
 * others are left off and recorded, to be reported once per folder rather than once per message.
 * System flags are always given: the server decides, and one it drops is set again (restore()).
 */
export class FolderFlags {
  readonly #permanent: Set<string> | undefined;
  readonly #anyKeyword: boolean;
  readonly #notKept: KeywordsNotKept;
  readonly #known: Set<string>;
  readonly #knownAsGiven: readonly string[];

  constructor(
    permanentFlags: string[] | undefined,
    fallback: readonly string[] | undefined,
    notKept: KeywordsNotKept,
    knownNotKept: readonly string[] = [],
  ) {
    const listed = permanentFlags ?? fallback;
    this.#permanent = listed ? lower(listed) : undefined;
    this.#anyKeyword = !listed || this.#permanent!.has('\\*');
    this.#notKept = notKept;
    this.#known = lower(knownNotKept);
    this.#knownAsGiven = knownNotKept;
  }

  /** Whether the target keeps this flag when given it. */
  keeps(flag: string): boolean {
    if (isSystemFlag(flag)) return true;
    const name = flag.toLowerCase();
    if (this.#known.has(name) || this.#dropped(name)) return false;
    return this.#anyKeyword || this.#permanent!.has(name);
  }

  /** Whether a STORE may set this system flag for good (PERMANENTFLAGS lists it, or says nothing). */
  storable(flag: string): boolean {
    return !this.#permanent || this.#permanent.has(flag.toLowerCase());
  }

  /** The flags of a source message that go to the target; those left off are recorded against its UID. */
  kept(uid: number, flags: readonly string[]): string[] {
    const out: string[] = [];
    for (const flag of flags) {
      if (this.keeps(flag)) out.push(flag);
      else this.#record(flag, uid, this.#anyKeyword ? 'dropped' : 'closed');
    }
    return out;
  }

  /** The target stored a message without a keyword it was given: it is not given again in this folder. */
  droppedOnAppend(uid: number, keyword: string): void {
    this.#record(keyword, uid, 'dropped');
  }

  /** Every keyword known not to be kept in this folder (earlier passes' and this one's), once each, as first seen. */
  allNotKept(): string[] {
    const out = new Map<string, string>();
    for (const k of [...this.#knownAsGiven, ...this.#notKept.keys()])
      if (!out.has(k.toLowerCase())) out.set(k.toLowerCase(), k);
    return [...out.values()].sort((a, b) => a.localeCompare(b));
  }

  #dropped(name: string): boolean {
    for (const [keyword, entry] of this.#notKept)
      if (entry.why === 'dropped' && keyword.toLowerCase() === name) return true;
    return false;
  }

  #record(keyword: string, uid: number, why: NotKeptWhy): void {
    const entry = this.#notKept.get(keyword) ?? { why, uids: new Set<number>() };
    entry.uids.add(uid);
    this.#notKept.set(keyword, entry);
  }
}

/**
 * One warning for the folder naming the keywords left off and how many messages carried them in this
 * pass; a pass that met none keeps naming those earlier passes left off (KNOWN), so the mailbox's
 * record does not lose them. Undefined when there are none.
 */
export function keywordsItem(
  folder: string,
  notKept: KeywordsNotKept,
  known: readonly string[] = [],
): SkippedItem | undefined {
  if (notKept.size === 0) {
    if (known.length === 0) return undefined;
    return {
      kind: 'keywords-not-kept',
      folder,
      uid: 0,
      size: 0,
      reason: `messages copied by earlier passes are without keywords the target does not keep: ${known.join(', ')}`,
      flags: [...known],
    };
  }
  const messages = new Set<number>();
  const parts: string[] = [];
  const flags: string[] = [];
  let dropped = false;
  for (const [keyword, { why, uids }] of [...notKept].sort(([a], [b]) => a.localeCompare(b))) {
    for (const uid of uids) messages.add(uid);
    parts.push(`${keyword} (${uids.size} message${uids.size === 1 ? '' : 's'})`);
    flags.push(keyword);
    dropped ||= why === 'dropped';
  }
  const cause = dropped
    ? 'the target dropped them when given with APPEND'
    : 'the target keeps no keywords of its own (no \\* in its PERMANENTFLAGS)';
  return {
    kind: 'keywords-not-kept',
    folder,
    uid: 0,
    size: 0,
    reason: `${messages.size} message${messages.size === 1 ? '' : 's'} copied without keywords the target does not keep: ${parts.join(', ')}; ${cause}`,
    flags,
  };
}
