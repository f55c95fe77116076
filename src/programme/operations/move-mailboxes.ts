import type { OperationRow } from '../../state/mailbox/operation-rows.js';
import { placeRows } from '../../state/mailbox/place-rows.js';
import { applyChange, mailboxEntry } from './apply-change.js';
import { mailboxTargets, rowPicture } from './mailbox-targets.js';
import { count, emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { groupBy, placementOn } from './placement.js';
import { refuseIf } from './refusal.js';
import { checkTargetDay } from './target-day.js';

/** Why a mailbox cannot be moved, if it cannot. */
export function notMovable(r: OperationRow): string | undefined {
  if (r.state === 'done') return `${r.address} is done`;
  if (r.state === 'cutover') return `${r.address} is past its cutover`;
  if (r.exclude_reason !== null) return `${r.address} is excluded (include it first)`;
  if (r.hold_reason !== null) return `${r.address} is held (release it first)`;
  return undefined;
}

/**
 * Pins ROWS to DAY (the planner keeps pins, even over capacity, and says so): a told user whose day
 * changes is owed a rescheduled notice. All or nothing.
 */
export async function moveRows(
  input: OperationInput,
  rows: readonly OperationRow[],
  day: string,
  action: string,
): Promise<OperationResult> {
  refuseIf(rows.map(notMovable).filter((p): p is string => p !== undefined));
  const target = await checkTargetDay(input, day, rows);
  const result = emptyResult(
    action,
    rows.map((r) => r.address),
    input.dryRun,
  );
  for (const [from, group] of groupBy(rows, (r) => r.batch_day ?? 'no day')) {
    result.summary.push(`${count(group.length, 'mailbox')} move from ${from} to ${day}`);
  }
  const told = rows.filter((r) => r.told_day !== null && r.told_day !== day);
  result.notices.rescheduled = told.length;
  if (told.length > 0)
    result.summary.push(
      `${count(told.length, 'user')} ${told.length === 1 ? 'was' : 'were'} told and will get a rescheduled notice`,
    );
  if (target.shortNotice.length > 0)
    result.warnings.push(
      `short notice (--force) for ${target.shortNotice.length}: ${target.shortNotice.join(', ')}`,
    );
  if (target.overCapacity) result.warnings.push(target.overCapacity);
  const placement = placementOn(input, day, true);
  const audit = rows.map((r) =>
    mailboxEntry(input, action, r, rowPicture(r), {
      ...rowPicture(r),
      day,
      pinned: day,
      state: r.state === 'prestaged' ? 'prestaged' : 'scheduled',
    }),
  );
  return applyChange(input, result, audit, (tx) =>
    placeRows(
      tx,
      rows.map((r) => r.address),
      placement,
      input.now.toISOString(),
    ),
  );
}

/** `tranche mailbox move ADDRESS… --to DAY`. */
export async function moveMailboxes(
  input: OperationInput,
  addresses: readonly string[],
  day: string,
): Promise<OperationResult> {
  return moveRows(input, await mailboxTargets(input, addresses, notMovable), day, 'mailbox.move');
}
