/**
 * Where a mailbox is in its move (design.md's lifecycle). Notices (warned, reminded) are kept by the
 * notify part's ledger, not here: this is the copy's progress.
 * - imported: no day yet;  scheduled: has a day, nothing copied;  prestaged: initial copy done,
 *   delta passes follow;  cutover: the day's cutover has passed, the final pass and verify are due;
 * - done: final pass verified;  failed: stopped with failure_type/failure_reason until re-planned.
 */
export type MailboxState = 'imported' | 'scheduled' | 'prestaged' | 'cutover' | 'done' | 'failed';

/** Every state, in lifecycle order. */
export const MAILBOX_STATES: readonly MailboxState[] = [
  'imported',
  'scheduled',
  'prestaged',
  'cutover',
  'done',
  'failed',
];

/** A copy pass the runner carries out: the initial copy, a daily delta, or the final pass with verify. */
export type LifecycleStep = 'prestage' | 'delta' | 'final';

/** States in which a mailbox has passes to run. */
export const ACTIVE_STATES = ['scheduled', 'prestaged', 'cutover'] as const satisfies readonly MailboxState[];

/** States in which a user is waiting for their day. */
export const WAITING_STATES = ['scheduled', 'prestaged'] as const satisfies readonly MailboxState[];
