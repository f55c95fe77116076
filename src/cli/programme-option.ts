import type { Command } from 'commander';

/** Adds --programme DIR (default: $TRANCHE_PROGRAMME, else the current directory). */
export function addProgrammeOption(command: Command): Command {
  return command.option(
    '--programme <dir>',
    'the programme directory (default: $TRANCHE_PROGRAMME, else the current directory)',
    process.env.TRANCHE_PROGRAMME ?? '.',
  );
}
