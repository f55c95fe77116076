import type { Kysely, Selectable } from 'kysely';
import { DEFAULT_FOLDER_SYNC, syncMailbox, type StoreFactory } from '../copy/sync-mailbox.js';
import { knownToVerify, type SyncReport } from '../copy/sync-report.js';
import { targetRules } from '../copy/target-rules.js';
import { serviceProfile } from '../mailstore/service-profile.js';
import { verifyMailbox } from '../copy/verify.js';
import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { LifecycleConfig, ProgrammeConfig } from '../programme/config/config.js';

import type { MailStore } from '../mailstore/mail-store.js';
import { openMailStore } from '../mailstore/open-mail-store.js';
import type { LifecycleStep } from '../programme/lifecycle/mailbox-state.js';
import { loginFor } from '../programme/endpoints/mailbox-login.js';
import type { Database, EndpointTable, MailboxTable } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import { SyncCheckpoints } from '../state/sync-checkpoints.js';
import { queueNotice } from '../notify/ledger/queue-notices.js';
import type { Clock } from '../limits/clock.js';
import { observeLoginLatency } from '../limits/adaptive-concurrency.js';
import { endpointChanges } from './endpoint-changes.js';
import { EndpointPace } from '../limits/endpoint-pace.js';
import { LEASE_LOST, LeaseWatch, leaseLost } from './lease-watch.js';
import { stoppedByPeople } from './step-stop.js';
import { connectionsPerMailbox } from '../limits/endpoint-room.js';
import { holdsLease } from './leases.js';
import { finishStep } from '../state/mailbox/finish-step.js';
import { markCutover } from '../state/mailbox/mark-cutover.js';
import { passClose, startPass, written, type PassReports } from './pass-record.js';
import { DavPassError, hasDav, runDavPass } from './dav-pass.js';
import { SideError, unwrapSide } from './side-error.js';
import { stepFailed, stepSucceeded, type Side } from './step-outcome.js';
import { allowanceReached, MailboxAllowance } from '../limits/mailbox-allowance.js';
import type { StepRowChange } from '../state/mailbox/finish-step.js';

/** What a process needs to build the context of its steps. */
export interface StepSetup {
  db: Kysely<Database>;
  box: SecretBox;
  config: ProgrammeConfig;
  clock: Clock;
  owner: string;
  logger: Logger;
  signal: AbortSignal;
}

/** What a runner gives each step it runs. */
export interface StepContext extends Omit<StepSetup, 'config'> {
  /** The endpoint rows by name, as last read by refreshEndpoints. */
  endpoints: ReadonlyMap<string, Selectable<EndpointTable>>;
  pace: EndpointPace;
  /**
   * Reads the endpoints again, so a change (`tranche endpoint set`) reaches this process: the steps
   * that start after it log in and connect with the new settings, and the byte budgets take the new
   * rate at once. A step already running keeps its logins and connections.
   */
  refreshEndpoints: () => Promise<void>;
  /** The steps running, each stopped if its lease is lost. */
  leases: LeaseWatch;
  lifecycle: LifecycleConfig;
  /** Queue success and failure notices (the programme sends notices). */
  notices: boolean;
}

/** The context every step of this process runs in: the endpoints as they are now, and their byte budgets. */
export async function stepContext({ config, ...setup }: StepSetup): Promise<StepContext> {
  const endpoints = new Map<string, Selectable<EndpointTable>>();
  const pace = new EndpointPace(setup.db, setup.clock);
  const refreshEndpoints = async (): Promise<void> => {
    const rows = await setup.db.selectFrom('endpoint').selectAll().execute();
    for (const row of rows) {
      const before = endpoints.get(row.name);
      const changes = before ? endpointChanges(before, row) : [];
      if (changes.length > 0)
        setup.logger.info({ endpoint: row.name, changes }, 'endpoint changed; new steps use it');
    }
    endpoints.clear();
    for (const row of rows) endpoints.set(row.name, row);
    pace.update(rows);
  };
  await refreshEndpoints();
  return {
    ...setup,
    lifecycle: config.lifecycle,
    notices: config.notices !== undefined,
    endpoints,
    pace,
    refreshEndpoints,
    leases: new LeaseWatch(),
  };
}

/** How a step ended, for the runner's log and counters. */
export type StepResult = 'ok' | 'retry' | 'failed' | 'interrupted' | 'waiting';

function opener(ctx: StepContext, mailbox: Selectable<MailboxTable>, side: Side): StoreFactory {
  const endpoint = ctx.endpoints.get(side === 'source' ? mailbox.source_endpoint : mailbox.target_endpoint)!;
  const user = side === 'source' ? mailbox.source_user : mailbox.target_user;
  const login = loginFor(
    endpoint,
    user,
    side === 'source' ? mailbox.source_secret : mailbox.target_secret,
    ctx.box,
  );
  return async () => {
    if (!login) throw new SideError(side, new TrancheError('auth', `no password for ${user}`));
    const started = performance.now();
    let store: MailStore;
    try {
      store = await openMailStore(login, `endpoint ${endpoint.name}`);
    } catch (error) {
      throw new SideError(side, toTrancheError(error), { usedToken: login.bearer !== undefined });
    }
    await adapt(ctx, endpoint.name, performance.now() - started);
    return store;
  };
}

/** What the copy respects of a target endpoint when its server does not say: its profile, its size limit. */
function rulesOf(endpoint: Selectable<EndpointTable>): ReturnType<typeof targetRules> {
  const size = endpoint.max_message_size === null ? undefined : Number(endpoint.max_message_size);
  return targetRules(serviceProfile(endpoint.profile), size, `endpoint ${endpoint.name}`);
}

/** The mailbox's daily upload allowance on its target endpoint, as counted so far; undefined without one. */
function allowanceOf(
  endpoint: Selectable<EndpointTable>,
  mailbox: Selectable<MailboxTable>,
): MailboxAllowance | undefined {
  if (endpoint.bytes_per_mailbox_per_day === null) return undefined;
  return new MailboxAllowance(
    Number(endpoint.bytes_per_mailbox_per_day),
    { from: mailbox.allowance_from, bytes: Number(mailbox.allowance_bytes) },
    `endpoint ${endpoint.name}`,
  );
}

/** Feeds a login's time to the endpoint's adaptive concurrency, and logs a change. */
async function adapt(ctx: StepContext, endpoint: string, latencyMs: number): Promise<void> {
  if (ctx.endpoints.get(endpoint)?.latency_threshold_ms == null) return;
  const change = await observeLoginLatency(ctx.db, endpoint, latencyMs);
  if (change) {
    ctx.logger.info(
      { ...change, latencyMs: Math.round(latencyMs) },
      change.to < change.from
        ? 'endpoint slow: fewer mailboxes at once'
        : 'endpoint recovering: one more mailbox at once',
    );
  }
}

/** The success or failure notice of a mailbox's day, into the ledger. */
function queueOutcome(
  ctx: StepContext,
  mailbox: Selectable<MailboxTable>,
  kind: 'success' | 'failure',
  now: Date,
): Promise<void> {
  if (!mailbox.batch_day) return Promise.resolve();
  return queueNotice(
    ctx.db,
    { subject: mailbox.address, kind, day: mailbox.batch_day, organisation: mailbox.organisation },
    now,
  );
}

/** This process lost the mailbox's lease: the pass is recorded as interrupted, and the mailbox left to whoever holds it now. */
async function leftToNewHolder(
  ctx: StepContext,
  passId: string,
  mailbox: Selectable<MailboxTable>,
  report: PassReports,
  log: Logger,
): Promise<StepResult> {
  const pass = passClose(passId, mailbox.address, ctx.clock.now(), 'interrupted', report, {
    message: LEASE_LOST,
  });
  await finishStep(ctx.db, { pass, owner: ctx.owner, row: undefined });
  log.warn('lease lost: this pass stopped; the mailbox is left to whoever holds it now');
  return 'interrupted';
}

/**
 * Runs one lifecycle step of a leased mailbox: a copy pass (pre-stage, delta, or the final pass
 * followed by a verify), recorded as a pass, and moves the mailbox on, retries or fails it.
 */
export async function runStep(ctx: StepContext, mailbox: Selectable<MailboxTable>): Promise<StepResult> {
  const step: LifecycleStep = mailbox.next_step ?? 'prestage';
  const log = ctx.logger.child({ mailbox: mailbox.address, step });
  const passId = await startPass(ctx.db, mailbox, step, ctx.owner, ctx.clock.now());
  if (step === 'final') await markCutover(ctx.db, mailbox.address, ctx.owner);
  const openSource = opener(ctx, mailbox, 'source');
  const openTarget = opener(ctx, mailbox, 'target');
  const endpoints = [mailbox.source_endpoint, mailbox.target_endpoint];
  const allowance = allowanceOf(ctx.endpoints.get(mailbox.target_endpoint)!, mailbox);
  // The counter goes on the row with whatever the step ends in.
  const counted = (row: StepRowChange): StepRowChange =>
    allowance
      ? { ...row, allowance_from: allowance.state().from, allowance_bytes: allowance.state().bytes }
      : row;
  const connections = connectionsPerMailbox(ctx.endpoints, mailbox, ctx.lifecycle.connectionsPerMailbox);
  // What the mail and the DAV parts did, also when one of them fails: the pass keeps both counts.
  const reports: PassReports = { mail: undefined, dav: undefined };
  let report: SyncReport | undefined;
  try {
    report = reports.mail = await syncMailbox({
      mailboxKey: `mailbox:${mailbox.address}`,
      openSource,
      openTarget,
      checkpoints: new SyncCheckpoints(ctx.db),
      folders: { renames: [], excludes: [] },
      options: DEFAULT_FOLDER_SYNC,
      logger: log,
      signal: ctx.signal,
      connections,
      pace: async (bytes) => {
        allowance?.take(bytes, ctx.clock.now());
        await ctx.pace.take(endpoints, bytes, ctx.signal);
      },
      target: rulesOf(ctx.endpoints.get(mailbox.target_endpoint)!),
    });
    if (report.error) throw report.error;
    if (hasDav(ctx.endpoints, mailbox)) {
      // Calendars and contacts after the mail, in the same pass: the mailbox is done only when both are.
      try {
        reports.dav = await runDavPass({
          db: ctx.db,
          box: ctx.box,
          endpoints: ctx.endpoints,
          mailbox,
          concurrency: 2 * connections,
          verify: step === 'final',
          logger: log,
          signal: ctx.signal,
        });
      } catch (error) {
        if (error instanceof DavPassError) reports.dav = error.report;
        throw error;
      }
    }
    if (step === 'final') {
      // Skipped items (messages and folders) are known and reported: verify leaves them out.
      const folders = { renames: [], excludes: [] };
      const verify = await verifyMailbox(openSource, openTarget, folders, false, knownToVerify(report));
      const differences = verify.folders.flatMap((f) => f.differences.map((d) => `${f.source}: ${d}`));
      if (differences.length > 0) {
        throw new TrancheError(
          'verify',
          `verify found ${differences.length} difference(s), e.g. ${differences[0]}`,
        );
      }
    }
  } catch (error) {
    const now = ctx.clock.now();
    if (leaseLost(ctx.signal)) return leftToNewHolder(ctx, passId, mailbox, reports, log);
    const stopped = stoppedByPeople(ctx.signal);
    if (stopped) {
      // Held (its lease was taken away with its day) or its server paused: let go, the step waits.
      const pass = passClose(passId, mailbox.address, now, 'interrupted', reports, {
        message: stopped.message,
      });
      await finishStep(ctx.db, { pass, owner: ctx.owner, row: {} });
      log.info({ reason: stopped.message }, 'stopped at a safe point');
      return 'interrupted';
    }
    if (ctx.signal.aborted) {
      const pass = passClose(passId, mailbox.address, now, 'interrupted', reports, undefined);
      await finishStep(ctx.db, { pass, owner: ctx.owner, row: {} });
      log.info('interrupted; the step stays due');
      return 'interrupted';
    }
    const waiting = allowanceReached(error);
    if (waiting) {
      // Not a failure: the step stops at a safe point and goes on when the next window opens.
      const pass = passClose(passId, mailbox.address, now, 'interrupted', reports, {
        type: 'allowance',
        message: waiting.message,
      });
      const row = { next_due_at: waiting.until.toISOString(), waiting_for: waiting.message };
      await finishStep(ctx.db, { pass, owner: ctx.owner, row: counted(row) });
      log.info(
        { until: waiting.until.toISOString() },
        'daily upload allowance reached; going on in the next window',
      );
      return 'waiting';
    }
    const { error: typed, side, login } = unwrapSide(error);
    const { outcome, row } = stepFailed(
      mailbox,
      login?.usedToken ? login.original : typed,
      side,
      ctx.lifecycle,
      now,
      Math.random,
      { usedToken: login?.usedToken, dav: login?.dav },
    );
    const pass = passClose(passId, mailbox.address, now, 'failed', reports, typed);
    await finishStep(ctx.db, { pass, owner: ctx.owner, row: counted(row) });
    if (outcome === 'failed' && ctx.notices) await queueOutcome(ctx, mailbox, 'failure', now);
    log.warn({ type: typed.type, side, err: typed, outcome }, 'step failed');
    return outcome;
  }
  // Another worker claimed the mailbox as the pass ended (before the heartbeat could stop it): it carries the step.
  if (!(await holdsLease(ctx.db, mailbox.address, ctx.owner)))
    return leftToNewHolder(ctx, passId, mailbox, reports, log);
  const now = ctx.clock.now();
  const skipped = report.skipped.length + (reports.dav?.skipped.length ?? 0);
  const pass = passClose(passId, mailbox.address, now, skipped > 0 ? 'partial' : 'ok', reports, undefined);
  await finishStep(ctx.db, {
    pass,
    owner: ctx.owner,
    row: counted(stepSucceeded(mailbox, step, ctx.lifecycle, now)),
  });
  if (step === 'final' && ctx.notices) await queueOutcome(ctx, mailbox, 'success', now);
  log.info(
    {
      messages: report.messagesCopied,
      bytes: report.bytesCopied,
      ...(reports.dav
        ? { calendarItems: written(reports.dav, 'calendar'), contacts: written(reports.dav, 'addressbook') }
        : {}),
    },
    'step done',
  );
  return 'ok';
}

/** Runs a step; when even its outcome cannot be recorded (the state store), the lease runs out and it runs again. */
export async function carryOutStep(ctx: StepContext, mailbox: Selectable<MailboxTable>): Promise<StepResult> {
  const step = ctx.leases.begin(mailbox.address, ctx.signal);
  try {
    // The endpoints as they are now: a change since the last refresh applies from this step on.
    await ctx.refreshEndpoints();
    return await runStep({ ...ctx, signal: step.signal }, mailbox);
  } catch (error) {
    ctx.logger.error({ mailbox: mailbox.address, err: toTrancheError(error) }, 'step not recorded');
    return 'interrupted';
  } finally {
    step.end();
  }
}
