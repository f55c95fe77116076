import { TrancheError } from '../errors/tranche-error.js';
import { parseDuration } from './duration-text.js';
import { COMMANDS, type CommandName } from './figures.js';

/** A latency statistic a threshold can name. */
export type LatencyStat = 'p50' | 'p95' | 'p99' | 'max';

/** One --threshold, parsed. */
export type Threshold =
  | { kind: 'latency'; text: string; command: CommandName | 'all'; stat: LatencyStat; limitMs: number }
  | { kind: 'errors'; text: string; command: CommandName | 'all'; limitPercent: number }
  | { kind: 'recovery'; text: string; limitMs: number };

const STATS = new Set<string>(['p50', 'p95', 'p99', 'max']);

/**
 * Parses a threshold such as 'login.p95<1s', 'fetch.p99<800ms', 'errors<0.5%', 'append.errors<1%'
 * or 'recovery<10m'; anything else is a usage error that says what is accepted.
 */
export function parseThreshold(text: string): Threshold {
  const bad = (why: string): TrancheError =>
    new TrancheError(
      'usage',
      `--threshold '${text}': ${why} (expected COMMAND.p50|p95|p99|max<DURATION, [COMMAND.]errors<N%, or recovery<DURATION; commands: ${COMMANDS.join(', ')}, all)`,
    );
  const m = /^\s*([a-z]+)(?:\.([a-z0-9]+))?\s*<\s*(.+?)\s*$/i.exec(text);
  if (!m) throw bad('not a threshold');
  const [, first, second, value] = m as unknown as [string, string, string | undefined, string];
  const name = first.toLowerCase();
  if (name === 'recovery' && second === undefined)
    return { kind: 'recovery', text, limitMs: parseDuration(value, `--threshold '${text}'`) };
  const isErrors = (second ?? name).toLowerCase() === 'errors';
  const command = second === undefined ? 'all' : name;
  if (command !== 'all' && !(COMMANDS as readonly string[]).includes(command))
    throw bad(`unknown command '${command}'`);
  if (isErrors) {
    const pm = /^(\d+(?:\.\d+)?)\s*%$/.exec(value);
    if (!pm) throw bad(`'${value}' is not a percentage such as 0.5%`);
    return { kind: 'errors', text, command: command as CommandName | 'all', limitPercent: Number(pm[1]) };
  }
  const stat = (second ?? '').toLowerCase();
  if (!STATS.has(stat)) throw bad(`unknown statistic '${second ?? name}'`);
  return {
    kind: 'latency',
    text,
    command: command as CommandName | 'all',
    stat: stat as LatencyStat,
    limitMs: parseDuration(value, `--threshold '${text}'`),
  };
}
