import type { MailStore } from '../mailstore/mail-store.js';
import { sleep } from './backoff.js';

/** How long the target folder's UIDNEXT must hold still before a pending batch is matched. */
export const PENDING_QUIET_MS = 2_000;
/** The longest wait for that (mail still arriving into the folder from elsewhere never settles). */
export const PENDING_WAIT_MAX_MS = 30_000;

/**
 * Waits until the target folder's UIDNEXT has held still for PENDING_QUIET_MS (at most
 * PENDING_WAIT_MAX_MS), re-selecting the folder to read it. Before a pending batch is matched by
 * content: the run (or connection) that died with the batch under way may have left its last APPEND
 * whole in the server's input, and the server commits it after the death, tens or hundreds of
 * milliseconds later under load. Matched before that commit, the batch would be sent again and its
 * messages land twice. Returns the UIDNEXT it settled at.
 */
export async function targetSettled(
  target: MailStore,
  path: string,
  uidNext: number,
  signal: AbortSignal | undefined,
): Promise<number> {
  const started = Date.now();
  let last = uidNext;
  while (Date.now() - started < PENDING_WAIT_MAX_MS) {
    await sleep(PENDING_QUIET_MS, signal);
    const now = (await target.openFolder(path, false)).uidNext;
    if (now === last) break;
    last = now;
  }
  return last;
}
