import { readProgrammeDays, setProgrammeDay } from '../../state/day/programme-days.js';
import { addDays, dayOf, isIsoDay } from '../calendar/calendar-day.js';
import { applyChange } from './apply-change.js';
import { dayLoads } from './day-room.js';
import { count, emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { refuseIf } from './refusal.js';

/** What a day change sets. */
interface DayChange {
  closed?: boolean;
  mailboxes?: number | null;
  bytes?: number | null;
}

/** Changes DAY as CHANGE says (what it does not say stays), with the audit entry. */
async function changeDay(
  input: OperationInput,
  day: string,
  change: DayChange,
  action: string,
): Promise<OperationResult> {
  refuseIf(isIsoDay(day) ? [] : [`${day} is not a date (YYYY-MM-DD)`]);
  refuseIf(day < dayOf(input.now) ? [`${day} is in the past`] : []);
  const before = (await readProgrammeDays(input.db)).get(day);
  const now = {
    closed: change.closed ?? Number(before?.closed ?? 0) === 1,
    mailboxes: change.mailboxes === undefined ? (before?.mailboxes ?? null) : change.mailboxes,
    bytes: change.bytes === undefined ? (before?.bytes == null ? null : Number(before.bytes)) : change.bytes,
    reason: input.reason ?? before?.reason ?? null,
  };
  const result = emptyResult(action, [day], input.dryRun);
  const load = (await dayLoads(input.db, day, day)).get(day);
  if (now.closed) result.summary.push(`${day} closed: it takes nobody more`);
  else if (change.closed === false) result.summary.push(`${day} open again`);
  if (now.mailboxes !== null || now.bytes !== null)
    result.summary.push(
      `${day} holds ${now.mailboxes ?? 'the schedule'}'s mailboxes${now.bytes !== null ? ` and ${now.bytes} bytes` : ''}`.replace(
        "'s mailboxes",
        ' mailboxes',
      ),
    );
  if (load && (now.closed || (now.mailboxes !== null && load.mailboxes > now.mailboxes)))
    result.warnings.push(
      `${count(load.mailboxes, 'mailbox')} already planned there keep their day (re-plan with --force to move them)`,
    );
  const audit = [
    {
      actor: input.actor,
      action,
      subject: day,
      reason: input.reason ?? null,
      before: {
        closed: Number(before?.closed ?? 0) === 1,
        mailboxes: before?.mailboxes ?? null,
        bytes: before?.bytes == null ? null : Number(before.bytes),
      },
      after: { closed: now.closed, mailboxes: now.mailboxes, bytes: now.bytes },
    },
  ];
  return applyChange(input, result, audit, async (tx) => {
    await setProgrammeDay(tx, day, now);
    return 1;
  });
}

/** `tranche day close DAY`: the day takes nobody more. */
export function closeDay(input: OperationInput, day: string): Promise<OperationResult> {
  return changeDay(input, day, { closed: true }, 'day.close');
}

/** `tranche day open DAY`: a closed day takes mailboxes again. */
export function openDay(input: OperationInput, day: string): Promise<OperationResult> {
  return changeDay(input, day, { closed: false }, 'day.open');
}

/** `tranche day capacity DAY --mailboxes N [--bytes B]`: another capacity for one day. */
export function dayCapacity(
  input: OperationInput,
  day: string,
  mailboxes: number,
  bytes: number | undefined,
): Promise<OperationResult> {
  refuseIf(
    Number.isInteger(mailboxes) && mailboxes >= 0 ? [] : ['--mailboxes must be a whole number, 0 or more'],
  );
  return changeDay(input, day, { mailboxes, bytes: bytes ?? null }, 'day.capacity');
}

/** The first day of the notice period from NOW (for people reading a refusal). */
export const noticeStart = (input: OperationInput): string =>
  addDays(dayOf(input.now), input.config.schedule.noticeDays);
