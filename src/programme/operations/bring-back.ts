import type { Kysely } from 'kysely';
import { bringBack, resumeFinal } from '../../state/mailbox/hold-rows.js';
import type { OperationRow } from '../../state/mailbox/operation-rows.js';
import { placeRows } from '../../state/mailbox/place-rows.js';
import type { Database } from '../../state/schema.js';
import { byTextChunks, inTextSet } from '../../state/text-set.js';
import { addDays, dayOf } from '../calendar/calendar-day.js';
import { programmeCapacity } from '../plan/day-overrides.js';
import { applyChange, mailboxEntry } from './apply-change.js';
import { RoomFinder } from './day-room.js';
import { mailboxTargets, rowPicture } from './mailbox-targets.js';
import { count, emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { groupBy, placementOn } from './placement.js';
import { refuseIf } from './refusal.js';

/** The days mailboxes go to, found one by one against the days' room. */
export interface DayChoice {
  row: OperationRow;
  /** undefined: no day with room (left for the next plan); 'cutover': its final pass resumes. */
  day: string | undefined;
}

/**
 * Days for ROWS: the day PREFERRED gives (their own, when still ahead and with room), else the
 * first day with room from FROM (the notice period for users to be told again).
 */
export async function chooseDays(
  input: OperationInput,
  rows: readonly OperationRow[],
  preferred: (r: OperationRow) => string | null,
  from: string,
): Promise<DayChoice[]> {
  const finder = new RoomFinder(input.db, await programmeCapacity(input.db, input.config.schedule));
  const today = dayOf(input.now);
  const choices: DayChoice[] = [];
  for (const row of rows) {
    if (row.state === 'cutover') {
      choices.push({ row, day: 'cutover' });
      continue;
    }
    const size = Number(row.size_bytes ?? 0);
    const own = preferred(row);
    if (own !== null && own >= today && (await finder.fits(own, size))) {
      choices.push({ row, day: (await finder.take(own, size)) ?? own });
      continue;
    }
    choices.push({ row, day: await finder.take(from, size) });
  }
  return choices;
}

/** Writes CHOICES: each group of a day placed there, cutover ones resumed; returns rows changed. */
export async function writeChoices(
  tx: Kysely<Database>,
  input: OperationInput,
  choices: readonly DayChoice[],
): Promise<number> {
  let changed = 0;
  for (const [day, group] of groupBy(choices, (c) => c.day ?? '')) {
    const addresses = group.map((c) => c.row.address);
    if (day === '') continue;
    if (day === 'cutover') changed += await resumeFinal(tx, addresses, input.now.toISOString());
    else changed += await placeRows(tx, addresses, placementOn(input, day, false), input.now.toISOString());
  }
  return changed;
}

/** What CHOICES mean, in words. */
export function describeChoices(choices: readonly DayChoice[], summary: string[]): void {
  for (const [day, group] of groupBy(choices, (c) => c.day ?? '')) {
    if (day === '')
      summary.push(`${count(group.length, 'mailbox')}: no day with room; the next plan places them`);
    else if (day === 'cutover')
      summary.push(`${count(group.length, 'mailbox')} past cutover resume their final pass`);
    else summary.push(`${count(group.length, 'mailbox')} planned on ${day}`);
  }
}

/**
 * Brings ROWS back from a hold or an exclusion: planned again at once (back on the day they were told
 * when it is still ahead with room, else the first day with room after the notice period).
 */
export async function bringRowsBack(
  input: OperationInput,
  rows: readonly OperationRow[],
  kind: 'hold' | 'exclude',
  action: string,
): Promise<OperationResult> {
  const column = kind === 'hold' ? 'hold_reason' : 'exclude_reason';
  refuseIf(
    rows
      .filter((r) => r[column] === null)
      .map((r) => `${r.address} is not ${kind === 'hold' ? 'held' : 'excluded'}`),
  );
  const result = emptyResult(
    action,
    rows.map((r) => r.address),
    input.dryRun,
  );
  const told = await toldDays(input.db, rows);
  const from = addDays(dayOf(input.now), input.config.schedule.noticeDays);
  const choices = await chooseDays(input, rows, (r) => told.get(r.address) ?? null, from);
  result.summary.push(`${count(rows.length, 'mailbox')} ${kind === 'hold' ? 'released' : 'included'}`);
  describeChoices(choices, result.summary);
  const rescheduled = choices.filter((c) => told.has(c.row.address) && c.day !== told.get(c.row.address));
  result.notices.rescheduled = rescheduled.length;
  const audit = choices.map((c) =>
    mailboxEntry(input, action, c.row, rowPicture(c.row), {
      state: c.row.state === 'cutover' ? 'cutover' : 'scheduled',
      day: c.day === 'cutover' ? null : (c.day ?? null),
    }),
  );
  return applyChange(input, result, audit, async (tx) => {
    const changed = await bringBack(
      tx,
      rows.map((r) => r.address),
      column,
      input.now.toISOString(),
    );
    await writeChoices(tx, input, choices);
    return changed;
  });
}

/** The day each told user of ROWS was told (kept in rescheduled_from while set aside). */
async function toldDays(db: Kysely<Database>, rows: readonly OperationRow[]): Promise<Map<string, string>> {
  const told = new Map<string, string>();
  await byTextChunks(
    rows.map((r) => r.address),
    async (chunk) => {
      const found = await db
        .selectFrom('mailbox')
        .select(['address', 'rescheduled_from'])
        .where(inTextSet(db, 'address', chunk))
        .where('rescheduled_from', 'is not', null)
        .execute();
      for (const f of found) told.set(f.address, f.rescheduled_from!);
      return found.length;
    },
  );
  return told;
}

/** `tranche mailbox release ADDRESS…`. */
export async function releaseMailboxes(
  input: OperationInput,
  addresses: readonly string[],
): Promise<OperationResult> {
  return bringRowsBack(input, await mailboxTargets(input, addresses), 'hold', 'mailbox.release');
}

/** `tranche mailbox include ADDRESS…`. */
export async function includeMailboxes(
  input: OperationInput,
  addresses: readonly string[],
): Promise<OperationResult> {
  return bringRowsBack(input, await mailboxTargets(input, addresses), 'exclude', 'mailbox.include');
}
