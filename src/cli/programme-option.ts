import type { Command } from 'commander';
import { readEnvironment } from '../environment/environment.js';

/** Adds --programme DIR (default: $TRANCHE_PROGRAMME, else the current directory). */
export function addProgrammeOption(command: Command): Command {
  return command.option(
    '--programme <dir>',
    'the programme directory (default: $TRANCHE_PROGRAMME, else the current directory)',
    readEnvironment('TRANCHE_PROGRAMME') ?? '.',
  );
}
