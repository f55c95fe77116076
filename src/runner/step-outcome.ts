import type { Kysely, Selectable } from 'kysely';
import type { TrancheError } from '../errors/tranche-error.js';
import type { LifecycleConfig } from '../programme/config/config.js';
import { outcomeOf } from '../programme/discover/discover.js';
import type { LifecycleStep } from '../programme/lifecycle/mailbox-state.js';
import { stepAfter } from '../programme/lifecycle/step-times.js';
import type { Database, MailboxTable } from '../state/schema.js';

/** The longest wait between retries of a step: a day. */
const MAX_RETRY_DELAY_MS = 86_400_000;
/** A server's own wait hint is followed up to an hour; a longer one is taken as a wish, not a rule. */
export const MAX_HINT_MS = 3_600_000;

/** Which side of a mailbox an error came from, when known. */
export type Side = 'source' | 'target';

/** Only the lease holder moves a mailbox on: a runner whose lease ran out changes nothing. */
const held = (db: Kysely<Database>, address: string, owner: string) =>
  db.updateTable('mailbox').where('address', '=', address).where('lease_owner', '=', owner);

/** A step went through: the mailbox moves to its next step (or is done) and its lease is freed. */
export async function stepSucceeded(
  db: Kysely<Database>,
  mailbox: Selectable<MailboxTable>,
  owner: string,
  step: LifecycleStep,
  lifecycle: LifecycleConfig,
  now: Date,
): Promise<void> {
  const next = mailbox.batch_day ? stepAfter(step, mailbox.batch_day, lifecycle, now) : undefined;
  await held(db, mailbox.address, owner)
    .set({
      state: step === 'final' ? 'done' : 'prestaged',
      next_step: next?.step ?? null,
      next_due_at: next?.dueAt ?? null,
      done_at: step === 'final' ? now.toISOString() : null,
      last_pass_at: now.toISOString(),
      attempts: 0,
      failure_type: null,
      failure_reason: null,
      lease_owner: null,
      lease_until: null,
    })
    .execute();
}

/**
 * A step failed. Retryable errors try again after an exponential, jittered delay (or the server's hint)
 * until lifecycle.attempts is used up; anything else fails the mailbox with the reason, to be re-planned.
 * A refused login is also recorded as discovery would, so the planner holds the mailbox until fixed.
 */
export async function stepFailed(
  db: Kysely<Database>,
  mailbox: Selectable<MailboxTable>,
  owner: string,
  error: TrancheError,
  side: Side | undefined,
  lifecycle: LifecycleConfig,
  now: Date,
  random: () => number = Math.random,
): Promise<'retry' | 'failed'> {
  const attempts = mailbox.attempts + 1;
  const reason = side && !error.message.startsWith(`${side}:`) ? `${side}: ${error.message}` : error.message;
  if (error.retryable && attempts < lifecycle.attempts) {
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, lifecycle.retryDelayMinutes * 60_000 * 2 ** (attempts - 1));
    const delay =
      error.retryAfterMs === undefined
        ? Math.round(ceiling / 2 + (random() * ceiling) / 2)
        : Math.min(error.retryAfterMs, MAX_HINT_MS);
    await held(db, mailbox.address, owner)
      .set((eb) => ({
        attempts,
        // Throttled time is the server's doing: kept per mailbox, for the report.
        stalled_ms: error.type === 'throttled' ? eb('stalled_ms', '+', delay) : eb.ref('stalled_ms'),
        next_due_at: new Date(now.getTime() + Math.min(delay, MAX_RETRY_DELAY_MS)).toISOString(),
        failure_type: error.type,
        failure_reason: reason,
        lease_owner: null,
        lease_until: null,
      }))
      .execute();
    return 'retry';
  }
  // A refused login is recorded as discovery records it (not a dropped connection: that one passes).
  const outcome = outcomeOf(error);
  const login = outcome === 'bad-password' || outcome === 'disabled' ? outcome : undefined;
  await held(db, mailbox.address, owner)
    .set({
      state: 'failed',
      attempts,
      next_step: null,
      next_due_at: null,
      failure_type: error.type,
      failure_reason: error.retryable ? `${reason} (after ${attempts} attempts)` : reason,
      lease_owner: null,
      lease_until: null,
      ...(login && side === 'source' ? { source_login: login, discover_detail: reason } : {}),
      ...(login && side === 'target' ? { target_login: login, discover_detail: reason } : {}),
    })
    .execute();
  return 'failed';
}

/** The runner is stopping: the mailbox is let go as it was, its step still due, to resume on the next run. */
export async function stepInterrupted(db: Kysely<Database>, address: string, owner: string): Promise<void> {
  await held(db, address, owner).set({ lease_owner: null, lease_until: null }).execute();
}

/** The final pass begins: the mailbox is past its cutover. */
export async function markCutover(db: Kysely<Database>, address: string, owner: string): Promise<void> {
  await held(db, address, owner).set({ state: 'cutover' }).execute();
}
