import type { Kysely } from 'kysely';
import type { OperationRow } from '../../state/mailbox/operation-rows.js';
import { setAside } from '../../state/mailbox/hold-rows.js';
import { cancelPendingNotices } from '../../state/notice/cancel-notices.js';
import type { Database } from '../../state/schema.js';
import { byTextChunks, inTextSet } from '../../state/text-set.js';
import { applyChange, mailboxEntry } from './apply-change.js';
import { mailboxTargets, requireReason, rowPicture } from './mailbox-targets.js';
import { count, emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { refuseIf } from './refusal.js';

/** Pending notices of ADDRESSES (what a hold or exclusion cancels). */
function pendingNotices(db: Kysely<Database>, addresses: readonly string[]): Promise<number> {
  return byTextChunks(addresses, async (chunk) => {
    const row = await db
      .selectFrom('notice')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(inTextSet(db, 'subject', chunk))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
}

/**
 * Sets ROWS aside (KIND hold or exclude, with the reason): each loses its day and its step, a running
 * step stops at a safe point, pending notices are cancelled with the reason. All or nothing.
 */
export async function setRowsAside(
  input: OperationInput,
  rows: readonly OperationRow[],
  kind: 'hold' | 'exclude',
  action: string,
): Promise<OperationResult> {
  const reason = requireReason(input);
  refuseIf(
    rows
      .filter((r) => r.state === 'done' || (kind === 'hold' && r.exclude_reason !== null))
      .map((r) => (r.state === 'done' ? `${r.address} is done` : `${r.address} is excluded`)),
  );
  const column = kind === 'hold' ? 'hold_reason' : 'exclude_reason';
  const result = emptyResult(
    action,
    rows.map((r) => r.address),
    input.dryRun,
  );
  const addresses = rows.map((r) => r.address);
  const planned = rows.filter((r) => r.batch_day !== null);
  const running = rows.filter((r) => r.lease_until !== null && r.lease_until > new Date().toISOString());
  result.summary.push(
    `${count(rows.length, 'mailbox')} ${kind === 'hold' ? 'held' : 'excluded'}: ${reason}`,
    ...(planned.length > 0 ? [`${count(planned.length, 'mailbox')} lose their day`] : []),
    ...(running.length > 0 ? [`${count(running.length, 'running step')} stop at a safe point`] : []),
  );
  result.notices.cancelled = await pendingNotices(input.db, addresses);
  if (result.notices.cancelled > 0)
    result.summary.push(`${count(result.notices.cancelled, 'pending notice')} cancelled`);
  const after = (r: OperationRow): Record<string, unknown> => ({
    state: r.state === 'scheduled' ? 'imported' : r.state,
    day: null,
    [kind === 'hold' ? 'held' : 'excluded']: reason,
  });
  const audit = rows.map((r) => mailboxEntry(input, action, r, rowPicture(r), after(r)));
  return applyChange(input, result, audit, async (tx) => {
    const changed = await setAside(tx, addresses, column, reason, input.now.toISOString());
    await cancelPendingNotices(tx, addresses, `${kind === 'hold' ? 'held' : 'excluded'}: ${reason}`);
    return changed;
  });
}

/** `tranche mailbox hold ADDRESS… --reason TEXT`. */
export async function holdMailboxes(
  input: OperationInput,
  addresses: readonly string[],
): Promise<OperationResult> {
  return setRowsAside(input, await mailboxTargets(input, addresses), 'hold', 'mailbox.hold');
}

/** `tranche mailbox exclude ADDRESS… --reason TEXT`. */
export async function excludeMailboxes(
  input: OperationInput,
  addresses: readonly string[],
): Promise<OperationResult> {
  return setRowsAside(input, await mailboxTargets(input, addresses), 'exclude', 'mailbox.exclude');
}
