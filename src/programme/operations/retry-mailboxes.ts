import { dayOf } from '../calendar/calendar-day.js';
import { applyChange, mailboxEntry } from './apply-change.js';
import { chooseDays, describeChoices, writeChoices } from './bring-back.js';
import { mailboxTargets, rowPicture } from './mailbox-targets.js';
import { emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { refuseIf } from './refusal.js';

/**
 * `tranche mailbox retry ADDRESS…`: failed mailboxes go again, on their day if it is still ahead with
 * room, otherwise on the next day with room (a told user moved off their day is owed a rescheduled
 * notice). All or nothing.
 */
export async function retryMailboxes(
  input: OperationInput,
  addresses: readonly string[],
): Promise<OperationResult> {
  const rows = await mailboxTargets(input, addresses);
  refuseIf(
    rows
      .filter((r) => r.state !== 'failed' || r.hold_reason !== null || r.exclude_reason !== null)
      .map((r) =>
        r.hold_reason !== null
          ? `${r.address} is held (release it)`
          : r.exclude_reason !== null
            ? `${r.address} is excluded (include it)`
            : `${r.address} is ${r.state}, not failed`,
      ),
  );
  const result = emptyResult(
    'mailbox.retry',
    rows.map((r) => r.address),
    input.dryRun,
  );
  const choices = await chooseDays(input, rows, (r) => r.batch_day, dayOf(input.now));
  describeChoices(choices, result.summary);
  result.notices.rescheduled = choices.filter(
    (c) => c.row.told_day !== null && c.day !== c.row.told_day,
  ).length;
  const audit = choices.map((c) =>
    mailboxEntry(input, 'mailbox.retry', c.row, rowPicture(c.row), {
      state: 'scheduled',
      day: c.day ?? null,
    }),
  );
  return applyChange(input, result, audit, (tx) => writeChoices(tx, input, choices));
}
