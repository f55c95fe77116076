import type { Kysely } from 'kysely';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import { gateFor, targetEndpoints } from './soak-gate.js';
import { listSoakRuns } from './soak-runs.js';

/** One target endpoint's soak: its last verdict, and whether cutovers onto it may start. */
export interface SoakEndpointStatus {
  endpoint: string;
  /** 'open' (a recent enough go), 'held' (cutovers wait), or 'not-required' (no lifecycle.requireSoak). */
  gate: 'open' | 'held' | 'not-required';
  /** Why, in words (the gate's reason; or the last verdict when no soak is required). */
  reason: string;
  last: {
    go: boolean;
    multiple: number;
    finishedAt: string;
    summary: string;
    reportDir: string | null;
  } | null;
}

/** What status and the dashboard show of the soak tests: the rule, and each target endpoint. */
export interface SoakStatus {
  required: { withinDays: number; minMultiple: number } | null;
  endpoints: SoakEndpointStatus[];
}

/**
 * The soak status of every endpoint mailboxes move onto (and any other that was soaked): the last
 * run, and the gate of lifecycle.requireSoak with its reason (a soak's age counted in real time).
 */
export async function soakStatus(
  db: Kysely<Database>,
  config: Pick<ProgrammeConfig, 'lifecycle'>,
  now: Date = new Date(),
): Promise<SoakStatus> {
  const rule = config.lifecycle.requireSoak;
  const [runs, targets] = await Promise.all([listSoakRuns(db), targetEndpoints(db)]);
  const names = [...new Set([...targets, ...runs.map((r) => r.endpoint)])].sort();
  const endpoints = names.map((endpoint): SoakEndpointStatus => {
    const lastRun = runs.find((r) => r.endpoint === endpoint);
    const last = lastRun
      ? {
          go: lastRun.go,
          multiple: lastRun.multiple,
          finishedAt: lastRun.finishedAt,
          summary: lastRun.summary,
          reportDir: lastRun.reportDir ?? null,
        }
      : null;
    if (!rule)
      return {
        endpoint,
        gate: 'not-required',
        reason: lastRun ? lastRun.summary : 'no soak run (none required)',
        last,
      };
    const gate = gateFor(endpoint, runs, rule, now);
    return { endpoint, gate: gate.open ? 'open' : 'held', reason: gate.reason, last };
  });
  return { required: rule ?? null, endpoints };
}
