import type { MailStore, MessageMeta } from '../mailstore/mail-store.js';

/** How many messages to read at once when hashing. */
const HASH_BATCH = 100;

async function hashes(store: MailStore, uids: number[]): Promise<Map<number, string>> {
  // Loaded here, on the first match after a crash: a copy that never matches never loads node:crypto.
  const { bodySha256 } = await import('../mailstore/body-sha256.js');
  const out = new Map<number, string>();
  for (let i = 0; i < uids.length; i += HASH_BATCH) {
    for await (const message of store.fetchMessages(uids.slice(i, i + HASH_BATCH))) {
      out.set(message.uid, bodySha256(message.body));
    }
  }
  return out;
}

/**
 * Finds which target messages are byte-identical copies of which source messages, for when the UID
 * map can't be trusted: a crash between APPEND and checkpoint, a UIDVALIDITY change, a target filled
 * before tranche kept state. Only messages of equal size are read and hashed; duplicates pair off
 * one to one in UID order, so exact duplicates stay duplicates. Both folders must be open.
 */
export async function matchByContent(
  source: MailStore,
  sourceMessages: MessageMeta[],
  target: MailStore,
  targetMessages: MessageMeta[],
): Promise<Map<number, number>> {
  const targetSizes = new Set(targetMessages.map((m) => m.size));
  const sourceCandidates = sourceMessages.filter((m) => targetSizes.has(m.size));
  const sourceSizes = new Set(sourceCandidates.map((m) => m.size));
  const targetCandidates = targetMessages.filter((m) => sourceSizes.has(m.size));
  const matches = new Map<number, number>();
  if (sourceCandidates.length === 0) return matches;

  const sourceHashes = await hashes(
    source,
    sourceCandidates.map((m) => m.uid),
  );
  const targetHashes = await hashes(
    target,
    targetCandidates.map((m) => m.uid),
  );
  const freeTargets = new Map<string, number[]>();
  for (const m of [...targetCandidates].sort((a, b) => a.uid - b.uid)) {
    const hash = targetHashes.get(m.uid);
    if (hash) freeTargets.set(hash, [...(freeTargets.get(hash) ?? []), m.uid]);
  }
  for (const m of [...sourceCandidates].sort((a, b) => a.uid - b.uid)) {
    const hash = sourceHashes.get(m.uid);
    const free = hash ? freeTargets.get(hash) : undefined;
    const targetUid = free?.shift();
    if (targetUid !== undefined) matches.set(m.uid, targetUid);
  }
  return matches;
}
