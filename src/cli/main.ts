import { Command, CommanderError } from 'commander';
import { toTrancheError } from '../errors/tranche-error.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { discoverCommand } from './discover-command.js';
import { endpointCommand } from './endpoint-command.js';
import { importCommand } from './import-command.js';
import { initCommand } from './init-command.js';
import { noticesCommand } from './notices-command.js';
import { planCommand } from './plan-command.js';
import { runCommand } from './run-command.js';
import { secretsCommand } from './secrets-command.js';
import { serveCommand } from './serve-command.js';
import { soakCommand } from './soak-command.js';
import { statusCommand } from './status-command.js';
import { syncCommand } from './sync-command.js';
import { tokenCommand } from './token-command.js';
import { verifyCommand } from './verify-command.js';
import { workerCommand } from './worker-command.js';

const debug = process.argv.includes('--debug');

/** Prints one clear line for an error (the stack too with --debug) and sets the exit code. */
function fail(error: unknown): void {
  const typed = toTrancheError(error);
  process.stderr.write(`tranche: ${typed.message}\n`);
  if (debug) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  process.exitCode = exitCodeFor(typed.type);
}

const writeErr = (text: string): void => {
  process.stderr.write(text.startsWith('error:') ? `tranche: ${text}` : text);
};

const program = new Command('tranche')
  .description('mailbox migrations at national scale')
  .option('--debug', 'print stack traces on errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr });
/** Every command, nested ones too, reports errors the same way: one line, a documented exit code. */
function configure(command: Command): Command {
  command
    .exitOverride()
    .configureOutput({ writeErr })
    .showHelpAfterError('(run with --help for usage)')
    .option('--debug', 'print stack traces on errors');
  for (const sub of command.commands) configure(sub);
  return command;
}
for (const sub of [
  syncCommand(),
  verifyCommand(),
  initCommand(),
  endpointCommand(),
  secretsCommand(),
  importCommand(),
  discoverCommand(),
  statusCommand(),
  planCommand(),
  runCommand(),
  workerCommand(),
  noticesCommand(),
  serveCommand(),
  tokenCommand(),
  soakCommand(),
])
  program.addCommand(configure(sub));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const helpShown =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.help' ||
      error.code === 'commander.version';
    process.exitCode = helpShown ? EXIT.ok : EXIT.usage;
  } else {
    fail(error);
  }
}
