import { TrancheError } from '../errors/tranche-error.js';
import { EXIT } from './exit-codes.js';

/**
 * SIGINT and SIGTERM drain COMMAND: the first aborts CONTROLLER (running passes stop at a safe point,
 * their steps stay due); a second stops the process at once. Returns a function that stops listening.
 */
export function drainOnSignals(command: string, controller: AbortController): () => void {
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`${command}: ${name} again; stopping now\n`);
      process.exit(EXIT.failed);
    }
    process.stderr.write(`${command}: ${name}; finishing at a safe point (again to stop at once)\n`);
    controller.abort(new TrancheError('usage', `stopped by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
