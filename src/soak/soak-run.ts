import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import { describeEndpoint, type ImapEndpoint } from '../mailstore/imap/endpoint.js';
import { seededRandom } from '../programme/plan/seeded-shuffle.js';
import { ArrivalSchedule } from './arrivals.js';
import type { LatencyFigures, StretchFigures } from './figures.js';
import { planLoad, type LoadPlan, type SoakPhase } from './load-plan.js';
import { generateLoad } from './open-loop-generator.js';
import type { SoakProfile } from './profile.js';
import { measureRecovery, recoveryBound } from './recovery.js';
import type { PhaseResult, SoakResult } from './soak-result.js';
import { SoakRecorder } from './soak-recorder.js';
import { SimulatedUser } from './simulated-user.js';
import type { Threshold } from './thresholds.js';
import { judge, type CheckedStretch } from './verdict.js';

/** Users logged in at once while the run sets up (a login storm is not what is measured). */
const CONNECT_AT_ONCE = 16;

/** What a soak is asked to do. */
export interface SoakOptions {
  /** The target's URL, for the report. */
  target: string;
  endpoint?: string;
  /** One login per simulated user (test accounts, or the endpoint's admin on users' behalf). */
  logins: ImapEndpoint[];
  /** Live users a multiple of 1 stands for (default: the simulated users). */
  liveUsers?: number;
  ramp: number[];
  durationMs: number;
  /** Figures window (10 s by default). */
  windowMs?: number;
  profile: SoakProfile;
  thresholds: Threshold[];
  /** Leave the appended messages in place. */
  keep?: boolean;
  seed?: number;
  signal: AbortSignal;
  logger: Logger;
  onPhase?: (phase: SoakPhase) => void;
}

function phaseName(phase: SoakPhase): string {
  return `${phase.kind === 'step' ? `step ${phase.index}` : 'recovery'} (x${phase.multiple})`;
}

/**
 * Runs a soak: logs every simulated user in, offers the load of each ramp step on an open schedule,
 * then the first step's load again to see the target recover, removes what was appended, and judges
 * the figures against the thresholds.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const windowMs = options.windowMs ?? 10_000;
  const recoveryThreshold = options.thresholds.find((t) => t.kind === 'recovery');
  const stepMs = options.durationMs / options.ramp.length;
  const plan: LoadPlan = planLoad({
    ramp: options.ramp,
    durationMs: options.durationMs,
    recoveryMs: Math.max(windowMs, recoveryThreshold?.limitMs ?? stepMs),
    windowMs,
    liveUsers: options.liveUsers ?? options.logins.length,
    profile: options.profile,
  });
  const runId = randomBytes(6).toString('hex');
  const recorder = new SoakRecorder(plan);
  const random = seededRandom(options.seed ?? 1);
  let origin = performance.now();
  const now = (): number => performance.now() - origin;
  const log = options.logger.child({ soak: runId });
  const users = options.logins.map(
    (login, i) =>
      new SimulatedUser({
        login,
        profile: options.profile,
        recorder,
        now,
        runId,
        random,
        idle: i < Math.round(options.logins.length * options.profile.idleShare),
      }),
  );
  const startedAt = new Date();
  let cleanup = {
    appended: 0,
    expunged: 0,
    removed: 0,
    kept: options.keep ?? false,
    problems: [] as string[],
  };
  let end: Awaited<ReturnType<typeof generateLoad>>;
  try {
    for (let i = 0; i < users.length; i += CONNECT_AT_ONCE) {
      await Promise.all(users.slice(i, i + CONNECT_AT_ONCE).map((u) => u.connect()));
      if (options.signal.aborted) break;
    }
    log.info(
      { users: users.length, target: options.target, phases: plan.phases.length },
      'soak: users logged in',
    );
    origin = performance.now();
    end = await generateLoad({
      plan,
      schedule: new ArrivalSchedule(plan, options.profile, users.length, options.seed ?? 1),
      recorder,
      perform: (user, action, dueMs) => users[user]!.perform(action, dueMs),
      now,
      wait: (ms) => sleep(ms, undefined, { signal: options.signal }).catch(() => undefined),
      signal: options.signal,
      // The first step's figures as the verdict computes them (phaseFigures), now final.
      recoveryBoundMs: () =>
        recoveryBound(phaseFigures(recorder, plan, plan.phases[0]!, plan.phases[0]!.endMs)),
      onPhase: (phase) => {
        log.info({ phase: phaseName(phase), rate: phase.ratePerSecond }, 'soak: phase');
        options.onPhase?.(phase);
      },
    });
    await Promise.all(users.map((u) => u.drain(Math.min(30_000, Math.max(2_000, windowMs)))));
    const finished = await Promise.allSettled(users.map((u) => u.finish(options.keep ?? false)));
    for (const f of finished) {
      if (f.status === 'fulfilled') {
        cleanup.removed += f.value.removed;
        cleanup.problems.push(...f.value.problems);
      } else cleanup.problems.push(`clean-up failed: ${(f.reason as Error).message}`);
    }
  } finally {
    await Promise.allSettled(users.map((u) => u.close()));
  }
  const totals = recorder.stretch(0, Math.max(0, Math.ceil(end.endMs / windowMs) - 1), end.endMs);
  const succeeded = (f: LatencyFigures | undefined): number => (f ? f.count - f.errors : 0);
  cleanup = {
    ...cleanup,
    appended: succeeded(totals.commands.append),
    expunged: succeeded(totals.commands.expunge),
  };
  return assemble(options, plan, recorder, end, runId, startedAt, users.length, cleanup, log);
}

/** A phase's figures up to END_MS: every window it touches (one it shares with the next phase included). */
function phaseFigures(
  recorder: SoakRecorder,
  plan: LoadPlan,
  phase: SoakPhase,
  endMs: number,
): StretchFigures {
  const first = Math.floor(phase.startMs / plan.windowMs);
  const last = Math.max(first, Math.ceil(endMs / plan.windowMs) - 1);
  return recorder.stretch(first, last, endMs - phase.startMs);
}

function assemble(
  options: SoakOptions,
  plan: LoadPlan,
  recorder: SoakRecorder,
  end: { endMs: number; reason: SoakResult['ended'] },
  runId: string,
  startedAt: Date,
  users: number,
  cleanup: SoakResult['cleanup'],
  log: Logger,
): SoakResult {
  const w = plan.windowMs;
  const windows = recorder.windows(end.endMs);
  const phases: PhaseResult[] = plan.phases
    .filter((p) => p.startMs < end.endMs)
    .map((p) => {
      const endMs = Math.min(p.endMs, end.endMs);
      return { ...p, endMs, name: phaseName(p), figures: phaseFigures(recorder, plan, p, endMs) };
    });
  const steps = phases.filter((p) => p.kind === 'step');
  const top = steps[steps.length - 1] ?? phases[0]!;
  const topFirst = Math.floor(top.startMs / w);
  const topLast = Math.max(topFirst, Math.ceil(top.endMs / w) - 1);
  const steadyFirst = topLast > topFirst ? topFirst + 1 : topFirst;
  const steady = recorder.stretch(steadyFirst, topLast, top.endMs - steadyFirst * w);
  const recoveryPhase = plan.phases[plan.phases.length - 1]!;
  const recovery = measureRecovery(phases[0]!.figures, windows, recoveryPhase.index, top.endMs);
  const stretches: CheckedStretch[] = [
    ...steps.map((s) => ({ name: s.name, figures: s.figures })),
    { name: `steady (x${top.multiple})`, figures: steady },
  ];
  const verdict = judge(
    options.thresholds,
    stretches,
    recovery,
    end.reason === 'stopped' ? end.endMs : undefined,
  );
  log.info({ go: verdict.go, failures: verdict.failures.length }, 'soak: verdict');
  return {
    version: 1,
    runId,
    target: options.target,
    endpoint: options.endpoint,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    users,
    liveUsers: plan.liveUsers,
    multiple: options.ramp[options.ramp.length - 1]!,
    ramp: options.ramp,
    windowMs: w,
    profile: options.profile,
    ended: end.reason,
    phases,
    steady,
    windows,
    recovery,
    verdict,
    cleanup,
  };
}

/** The target's URL from a login, for reports: scheme, host and port only. */
export function targetUrl(login: ImapEndpoint): string {
  return describeEndpoint(login).replace(/^.* at /, '');
}
