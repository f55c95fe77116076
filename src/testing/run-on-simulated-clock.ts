import { SimulatedClock } from '../limits/clock.js';
import { silentLogger } from '../log/logger.js';
import { runProgramme, type RunnerOptions, type RunTotals } from '../runner/runner.js';

/**
 * The runner tests' usual run: the programme carried out on a simulated clock from `plannedAt`
 * (600x), silently, never stopped from outside; `more` adds or overrides options (onStep, ...).
 */
export function runOnSimulatedClock(
  base: Pick<RunnerOptions, 'db' | 'box' | 'config'>,
  plannedAt: Date,
  more: Partial<RunnerOptions> = {},
): Promise<RunTotals> {
  return runProgramme({
    ...base,
    clock: new SimulatedClock(plannedAt, 600),
    logger: silentLogger(),
    signal: new AbortController().signal,
    ...more,
  });
}
