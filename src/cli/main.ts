import { Command, CommanderError } from 'commander';
import { toTrancheError } from '../errors/tranche-error.js';
import { storageError } from '../state/storage-error.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { COMMANDS } from './command-table.js';
import { capYoungGeneration } from './young-generation.js';

capYoungGeneration();

const debug = process.argv.includes('--debug');

/** Prints one clear line for an error (the stack too with --debug) and sets the exit code. */
function fail(error: unknown): void {
  const typed = storageError(error) ?? toTrancheError(error);
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
// Only the command being run is loaded (its chunk of the bundle); the others are named with their
// description, enough for the top-level help and for commander's "unknown command" advice.
const args = process.argv.slice(2).filter((a) => a !== '--debug');
const wanted = args[0] === 'help' ? args[1] : args[0];
for (const entry of COMMANDS) {
  if (entry.name === wanted) program.addCommand(configure(await entry.load()));
  else program.command(entry.name).description(entry.description);
}

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
