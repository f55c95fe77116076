import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { createLogger } from '../log/logger.js';
import { openProgramme } from './open-programme.js';
import { isPostgresUrl } from '../state/store-kind.js';
import { DEFAULT_LEASE_MS } from '../runner/leases.js';
import { runWorker, type WorkerTotals } from '../runner/worker.js';
import { addProgrammeOption } from './programme-option.js';
import { EXIT } from './exit-codes.js';
import { positive } from './number-options.js';
import { stepLine } from './step-line.js';
import { drainOnSignals } from './stop-signals.js';

interface WorkerFlags {
  db?: string;
  mailboxes: string;
  lease: string;
  exitWhenDone?: boolean;
  quiet?: boolean;
  json?: boolean;
  programme: string;
}

function summary(totals: WorkerTotals): string {
  const ended =
    totals.ended === 'done'
      ? 'the calendar is carried out: no mailbox has a step left'
      : 'stopped on request; its steps stay due for the other workers';
  return `tranche worker: ${ended}. ${totals.steps} steps: ${totals.ok} ok, ${totals.retry} to retry, ${totals.failed} failed, ${totals.interrupted} interrupted${totals.waiting ? `, ${totals.waiting} waiting for a daily upload allowance` : ''}; ${totals.dispatched} handed to the queue while leading`;
}

/** `tranche worker`: one of many processes carrying a programme out on PostgreSQL. */
export function workerCommand(): Command {
  const command = new Command('worker')
    .description(
      'work on a programme whose state is in PostgreSQL, beside any number of other workers on any machines: steps come through a job queue in the same database, limits are shared, and one worker at a time keeps the calendar duties (notices, handing out due steps)',
    )
    .option(
      '--db <url>',
      "the programme's PostgreSQL (postgres://USER@HOST:PORT/DB; default: the state in tranche.yaml, or $TRANCHE_DB). Give the password by PGPASSWORD or ~/.pgpass",
    )
    .option('--mailboxes <n>', 'mailboxes this worker copies at once', '8')
    .option(
      '--lease <seconds>',
      'how long a mailbox stays with a worker that stopped beating (a killed worker’s mailboxes go to another after this)',
      String(DEFAULT_LEASE_MS / 1000),
    )
    .option('--exit-when-done', 'stop once no mailbox has a step left (default: keep waiting for new plans)')
    .option('--quiet', 'print only the final summary, not each step')
    .option('--json', 'print the totals as JSON');
  addProgrammeOption(command);
  command.action(async (flags: WorkerFlags) => {
    const maxMailboxes = positive(flags.mailboxes, '--mailboxes');
    const leaseMs = positive(flags.lease, '--lease') * 1000;
    if (flags.db && !isPostgresUrl(flags.db))
      throw new TrancheError('usage', '--db must be a postgres:// URL');
    const programme = await openProgramme(flags.programme, flags.db);
    const url = programme.config.state;
    if (!isPostgresUrl(url)) {
      await programme.db.destroy();
      throw new TrancheError(
        'usage',
        'tranche worker needs the programme state in PostgreSQL (--db postgres://…); a SQLite programme runs with tranche run',
      );
    }
    const controller = new AbortController();
    const stopListening = drainOnSignals('tranche worker', controller);
    try {
      const totals = await runWorker({
        db: programme.db,
        url,
        box: programme.box,
        config: programme.config,
        templates: programme.templates,
        logger: createLogger(),
        signal: controller.signal,
        maxMailboxes,
        leaseMs,
        exitWhenDone: flags.exitWhenDone,
        onStep:
          flags.quiet || flags.json
            ? undefined
            : (mailbox, step, result) => process.stdout.write(stepLine(new Date(), step, result, mailbox)),
      });
      process.stdout.write(`${flags.json ? JSON.stringify(totals) : summary(totals)}\n`);
      if (totals.failed > 0) process.exitCode = EXIT.partial;
    } finally {
      stopListening();
      await programme.db.destroy();
    }
  });
  return command;
}
