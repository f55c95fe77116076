import { Command } from 'commander';
import { pauseEndpoint, resumeEndpoint } from '../programme/operations/endpoint-pause.js';
import { addOperationFlags, runOperation, type OperationFlags } from './operation-flags.js';

/** `tranche endpoint pause NAME` and `tranche endpoint resume NAME`. */
export function endpointPauseCommands(): Command[] {
  const pause = addOperationFlags(
    new Command('pause')
      .description(
        'no new step starts against the server (--reason); running steps finish, or stop at a safe point with --now',
      )
      .argument('<name>', 'the endpoint')
      .option('--now', 'stop its running steps at a safe point too (they resume after the resume)')
      .action(async (name: string, flags: OperationFlags & { now?: boolean }) => {
        await runOperation(flags, (input) => pauseEndpoint(input, name, flags.now === true));
      }),
    false,
  );
  const resume = addOperationFlags(
    new Command('resume')
      .description('steps start against the server again')
      .argument('<name>', 'the endpoint')
      .action(async (name: string, flags: OperationFlags) => {
        await runOperation(flags, (input) => resumeEndpoint(input, name));
      }),
    false,
  );
  return [pause, resume];
}
