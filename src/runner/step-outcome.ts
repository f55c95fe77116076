import type { Selectable } from 'kysely';
import { retryDelay } from '../errors/retry-delay.js';
import type { TrancheError } from '../errors/tranche-error.js';
import type { LifecycleConfig } from '../programme/config/config.js';
import { outcomeOf, type LoginOutcome } from '../programme/discover/discover.js';
import { oauthOutcomeOf } from '../programme/discover/oauth-outcome.js';
import type { LifecycleStep } from '../programme/lifecycle/mailbox-state.js';
import { stepAfter } from '../programme/lifecycle/step-times.js';
import type { StepRowChange } from '../state/mailbox/finish-step.js';
import type { MailboxTable } from '../state/schema.js';

/** The longest wait between retries of a step: a day. */
const MAX_RETRY_DELAY_MS = 86_400_000;

/** Which side of a mailbox an error came from, when known. */
export type Side = 'source' | 'target';

/** A step went through: the mailbox moves to its next step (or is done). */
export function stepSucceeded(
  mailbox: Selectable<MailboxTable>,
  step: LifecycleStep,
  lifecycle: LifecycleConfig,
  now: Date,
): StepRowChange {
  const next = mailbox.batch_day ? stepAfter(step, mailbox.batch_day, lifecycle, now) : undefined;
  return {
    state: step === 'final' ? 'done' : 'prestaged',
    next_step: next?.step ?? null,
    next_due_at: next?.dueAt ?? null,
    done_at: step === 'final' ? now.toISOString() : null,
    last_pass_at: now.toISOString(),
    attempts: 0,
    failure_type: null,
    failure_reason: null,
    waiting_for: null,
  };
}

/**
 * A step failed. Retryable errors try again after an exponential, jittered delay (or the server's hint)
 * until lifecycle.attempts is used up; anything else fails the mailbox with the reason, to be re-planned.
 * A refused login is also recorded as discovery would, so the planner holds the mailbox until fixed:
 * a password login by its outcome (bad-password, disabled), a token login by its OAuth2
 * kind (client refused, consent missing, user not found, no permission, token endpoint unreachable).
 */
export function stepFailed(
  mailbox: Selectable<MailboxTable>,
  error: TrancheError,
  side: Side | undefined,
  lifecycle: LifecycleConfig,
  now: Date,
  random: () => number = Math.random,
  /**
   * Where the error came from: a token login (its refusal recorded by its OAuth2 kind), or the side's
   * DAV server (a refused login recorded as the DAV login's outcome).
   */
  origin: { usedToken?: boolean; dav?: boolean } = {},
): { outcome: 'retry' | 'failed'; row: StepRowChange } {
  const { usedToken = false, dav = false } = origin;
  const attempts = mailbox.attempts + 1;
  const label = dav ? `${side} DAV` : side;
  const reason =
    side && !error.message.startsWith(`${label}:`) ? `${label}: ${error.message}` : error.message;
  if (error.retryable && attempts < lifecycle.attempts) {
    const spacing = { baseMs: lifecycle.retryDelayMinutes * 60_000, maxMs: MAX_RETRY_DELAY_MS };
    const delay = retryDelay(spacing, attempts, error.retryAfterMs, random);
    return {
      outcome: 'retry',
      row: {
        attempts,
        waiting_for: null,
        // Throttled time is the server's doing: kept per mailbox, for the report.
        ...(error.type === 'throttled' ? { stalledMs: delay } : {}),
        next_due_at: new Date(now.getTime() + delay).toISOString(),
        failure_type: error.type,
        failure_reason: reason,
      },
    };
  }
  // A refused login is recorded as discovery records it (not a dropped connection: that one passes).
  const login = refusedLogin(error, usedToken);
  const column =
    side === undefined ? undefined : dav ? (`${side}_dav_login` as const) : (`${side}_login` as const);
  return {
    outcome: 'failed',
    row: {
      state: 'failed',
      attempts,
      waiting_for: null,
      next_step: null,
      next_due_at: null,
      failure_type: error.type,
      failure_reason: error.retryable ? `${reason} (after ${attempts} attempts)` : reason,
      ...(login && column ? { [column]: login, discover_detail: reason } : {}),
    },
  };
}

/** How a login that failed for good is recorded on the row, or undefined when it was not a refused login. */
function refusedLogin(error: TrancheError, usedToken: boolean): LoginOutcome | undefined {
  const oauth = oauthOutcomeOf(error, usedToken);
  if (oauth) return oauth;
  const outcome = outcomeOf(error);
  return outcome === 'bad-password' || outcome === 'disabled' ? outcome : undefined;
}
