import { resolve } from 'node:path';
import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { createLogger } from '../log/logger.js';
import { parseImapUrl, type ImapEndpoint } from '../mailstore/imap/endpoint.js';
import { openProgramme } from './open-programme.js';
import { formatMs, parseDuration } from '../soak/duration-text.js';
import { endpointSoakLogins } from '../soak/endpoint-logins.js';
import { parseRamp } from '../soak/load-plan.js';
import { loadProfile, OFFICE_USER } from '../soak/profile.js';
import { readSoakAccounts } from '../soak/soak-accounts.js';
import { writeSoakReport } from '../soak/soak-report.js';
import type { SoakResult } from '../soak/soak-result.js';
import { runSoak } from '../soak/soak-run.js';
import { recordSoakRun } from '../soak/soak-runs.js';
import { parseThreshold } from '../soak/thresholds.js';
import { addProgrammeOption } from './programme-option.js';
import { EXIT } from './exit-codes.js';
import { positive } from './number-options.js';
import { drainOnSignals } from './stop-signals.js';

interface SoakFlags {
  target?: string;
  endpoint?: string;
  programme: string;
  accounts?: string;
  users?: string;
  liveUsers?: string;
  multiple?: string;
  duration: string;
  ramp?: string;
  window: string;
  profile?: string;
  threshold: string[];
  report?: string;
  json?: boolean;
  keep?: boolean;
  seed: string;
  iOwnThisServer?: boolean;
  insecure?: boolean;
  allowPlaintext?: boolean;
}

/** The longest soak tranche runs: a load test is bounded, whatever it is asked. */
const MAX_DURATION_MS = 24 * 3_600_000;
const DEFAULT_THRESHOLDS = ['errors<0.5%'];

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function whole(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = positive(text, flag);
  if (!Number.isInteger(n)) throw new TrancheError('usage', `${flag} must be a whole number above 0`);
  return n;
}

/** The ramp and the top multiple from --ramp and --multiple (the top step must be the multiple). */
function rampOf(flags: SoakFlags): number[] {
  const multiple = flags.multiple === undefined ? undefined : positive(flags.multiple, '--multiple');
  if (!flags.ramp) return [multiple ?? 1];
  const ramp = parseRamp(flags.ramp);
  if (multiple !== undefined && ramp[ramp.length - 1] !== multiple)
    throw new TrancheError(
      'usage',
      `--ramp ${flags.ramp} ends at x${ramp[ramp.length - 1]}, not at --multiple ${multiple}`,
    );
  return ramp;
}

function summaryText(result: SoakResult, files: { html: string; json: string } | undefined): string {
  const lines = [`tranche soak: ${result.verdict.summary}`];
  for (const f of result.verdict.failures)
    lines.push(`  failed  ${f.threshold} in ${f.where}: ${f.observed}`);
  for (const p of result.phases) {
    const a = p.figures.all;
    lines.push(
      `  ${p.name.padEnd(16)} ${String(a.count).padStart(7)} commands ${a.rate.toFixed(1).padStart(7)}/s  p50 ${formatMs(a.p50)}  p95 ${formatMs(a.p95)}  p99 ${formatMs(a.p99)}  errors ${a.errors}${p.figures.generatorLimited ? '  (generator was the limit)' : ''}`,
    );
  }
  const r = result.recovery;
  lines.push(
    `  recovery: ${r.afterMs === undefined ? `not back within ${formatMs(r.boundMs)} p95 in ${formatMs(r.watchedMs)}` : `back within ${formatMs(r.boundMs)} p95 after ${formatMs(r.afterMs)}`}`,
  );
  lines.push(
    `  mail: ${result.cleanup.appended} messages appended, ${result.cleanup.expunged} expunged by the profile, ${result.cleanup.kept ? 'the rest kept (--keep)' : `${result.cleanup.removed} removed at the end`}${result.cleanup.problems.map((p) => `; ${p}`).join('')}`,
  );
  if (files) lines.push(`  report: ${files.html} (and ${files.json})`);
  return lines.join('\n');
}

/** `tranche soak`: load a target as the programme's users would, and say go or no-go. */
export function soakCommand(): Command {
  const command = new Command('soak')
    .description(
      'load-test a target before go-live: simulated users on an open schedule at a multiple of the live load, percentiles per command, a go/no-go verdict the cutover gate obeys (exit 0 go, 1 no-go)',
    )
    .option('--target <url>', 'the server to load: imap://HOST[:PORT] or imaps://HOST[:PORT]')
    .option(
      '--endpoint <name>',
      'a programme endpoint to load (its verdict is kept for lifecycle.requireSoak)',
    )
    .option('--accounts <file>', 'CSV of test accounts on the target: user,password per row')
    .option(
      '--users <n>',
      "simulated users: the first N accounts, or with --endpoint and no --accounts, N of the programme's mailboxes logged in by the endpoint's admin",
    )
    .option(
      '--live-users <n>',
      "the live users a multiple of 1 stands for (default: the programme's mailboxes on --endpoint, else the simulated users)",
    )
    .option('--multiple <x>', 'the top multiple of the live load (default: the last --ramp step, else 1)')
    .option('--ramp <steps>', 'multiples, one step each, e.g. 1,2,4,7.5 (default: the --multiple alone)')
    .option(
      '--duration <d>',
      'all the ramp steps together, e.g. 40m (at most 24h); the recovery phase follows',
      '10m',
    )
    .option('--window <d>', 'the width of each figures window', '10s')
    .option(
      '--profile <file>',
      'YAML profile of what a user does per hour (default: the office user, docs/soak.md)',
    )
    .option(
      '--threshold <expr>',
      "a limit, e.g. 'login.p95<1s', 'fetch.p99<800ms', 'errors<0.5%', 'recovery<10m'; repeatable (default: errors<0.5%)",
      collect,
      [],
    )
    .option('--report <dir>', 'write soak-report.html and soak-report.json there')
    .option('--json', 'print the figures and verdict as JSON on stdout')
    .option('--keep', 'leave the messages the profile appended (they are removed at the end otherwise)')
    .option('--seed <n>', 'seed of the schedule (same seed, same arrivals)', '1')
    .option(
      '--i-own-this-server',
      'confirm the target is yours to load (needed unless tranche.yaml lists the endpoint in soak.loadTestTargets)',
    )
    .option('--insecure', 'do not verify TLS certificates (--target)')
    .option('--allow-plaintext', 'allow passwords without TLS (--target; trusted networks and tests only)');
  addProgrammeOption(command);
  command.action(async (flags: SoakFlags) => {
    if (!flags.target === !flags.endpoint)
      throw new TrancheError('usage', 'give either --target URL or --endpoint NAME');
    const ramp = rampOf(flags);
    const durationMs = parseDuration(flags.duration, '--duration');
    if (durationMs > MAX_DURATION_MS)
      throw new TrancheError('usage', `--duration ${flags.duration} is over the 24h a soak may last`);
    const windowMs = parseDuration(flags.window, '--window');
    if (windowMs < 100) throw new TrancheError('usage', '--window must be at least 100ms');
    const thresholds = (flags.threshold.length ? flags.threshold : DEFAULT_THRESHOLDS).map(parseThreshold);
    const profile = flags.profile ? loadProfile(flags.profile) : OFFICE_USER;
    const users = whole(flags.users, '--users');
    const liveUsersFlag = whole(flags.liveUsers, '--live-users');
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed)) throw new TrancheError('usage', '--seed must be a whole number');
    const accounts = flags.accounts ? readSoakAccounts(flags.accounts) : undefined;

    let logins: ImapEndpoint[];
    let target: string;
    let liveUsers: number | undefined = liveUsersFlag;
    let record: ((result: SoakResult, dir: string | undefined) => Promise<void>) | undefined;
    let close = (): Promise<void> => Promise.resolve();
    if (flags.target) {
      if (!flags.iOwnThisServer)
        throw new TrancheError(
          'usage',
          `--i-own-this-server is required to load ${flags.target}: a soak puts real load on it`,
        );
      if (!accounts)
        throw new TrancheError('usage', '--target needs --accounts FILE (test accounts on the target)');
      const address = parseImapUrl(flags.target, '--target');
      target = flags.target;
      logins = accounts.slice(0, users ?? accounts.length).map((a) => ({
        ...address,
        user: a.user,
        password: a.password,
        admin: undefined,
        loginTemplate: undefined,
        insecure: flags.insecure ?? false,
        allowPlaintext: flags.allowPlaintext ?? false,
      }));
    } else {
      const programme = await openProgramme(flags.programme);
      close = () => programme.db.destroy();
      try {
        const name = flags.endpoint!;
        if (!flags.iOwnThisServer && !programme.config.soak?.loadTestTargets.includes(name))
          throw new TrancheError(
            'usage',
            `--i-own-this-server is required to load ${name} (or list it in soak.loadTestTargets in tranche.yaml)`,
          );
        const found = await endpointSoakLogins(programme.db, programme.box, name, accounts, users);
        target = found.target;
        logins = found.logins;
        liveUsers ??= found.programmeUsers > 0 ? found.programmeUsers : undefined;
        record = (result, dir) => recordSoakRun(programme.db, name, result, dir);
      } catch (error) {
        await close();
        throw error;
      }
    }
    const controller = new AbortController();
    const stopListening = drainOnSignals('tranche soak', controller);
    try {
      const result = await runSoak({
        target,
        endpoint: flags.endpoint,
        logins,
        liveUsers,
        ramp,
        durationMs,
        windowMs,
        profile,
        thresholds,
        keep: flags.keep ?? false,
        seed,
        signal: controller.signal,
        logger: createLogger(),
      });
      const dir = flags.report ? resolve(flags.report) : undefined;
      const files = dir ? await writeSoakReport(dir, result) : undefined;
      await record?.(result, dir);
      process.stdout.write(`${flags.json ? JSON.stringify(result, null, 2) : summaryText(result, files)}\n`);
      process.exitCode = result.verdict.go ? EXIT.ok : EXIT.partial;
    } finally {
      stopListening();
      await close();
    }
  });
  return command;
}
