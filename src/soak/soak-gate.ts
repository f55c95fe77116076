import type { Kysely } from 'kysely';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import { listSoakRuns, type SoakRunRecord } from './soak-runs.js';

/** Whether cutovers onto one target endpoint may start, and why (or why not) in words. */
export interface SoakGateState {
  endpoint: string;
  open: boolean;
  reason: string;
  /** The run the decision rests on, if any. */
  run: SoakRunRecord | undefined;
}

const DAY_MS = 86_400_000;

/**
 * The gate of one endpoint: the newest run at or above the required multiple decides (a later
 * no-go closes a gate an older go opened); it must be a go, finished within the last withinDays.
 */
export function gateFor(
  endpoint: string,
  runs: SoakRunRecord[],
  rule: { withinDays: number; minMultiple: number },
  now: Date,
): SoakGateState {
  const own = runs.filter((r) => r.endpoint === endpoint);
  const deciding = own.find((r) => r.multiple >= rule.minMultiple);
  const need = `a soak go at x${rule.minMultiple} or more within ${rule.withinDays} days`;
  if (!deciding) {
    const lower = own[0];
    return {
      endpoint,
      open: false,
      run: lower,
      reason: lower
        ? `cutovers onto ${endpoint} wait for ${need}: the last soak reached only x${lower.multiple}`
        : `cutovers onto ${endpoint} wait for ${need}: no soak run yet (tranche soak --endpoint ${endpoint})`,
    };
  }
  const on = deciding.finishedAt.slice(0, 16).replace('T', ' ');
  if (!deciding.go)
    return {
      endpoint,
      open: false,
      run: deciding,
      reason: `cutovers onto ${endpoint} wait for ${need}: the soak of ${on} was NO-GO (${[...new Set(deciding.failures.map((f) => f.threshold))].join(', ') || deciding.summary})`,
    };
  const ageDays = (now.getTime() - Date.parse(deciding.finishedAt)) / DAY_MS;
  if (ageDays > rule.withinDays)
    return {
      endpoint,
      open: false,
      run: deciding,
      reason: `cutovers onto ${endpoint} wait for ${need}: the last go (${on}) is ${Math.floor(ageDays)} days old`,
    };
  return { endpoint, open: true, run: deciding, reason: `soak go at x${deciding.multiple} on ${on}` };
}

/** The gate of every endpoint named, or an empty list when tranche.yaml does not require a soak. */
export async function soakGates(
  db: Kysely<Database>,
  config: Pick<ProgrammeConfig, 'lifecycle'>,
  endpoints: string[],
  now: Date,
): Promise<SoakGateState[]> {
  const rule = config.lifecycle.requireSoak;
  if (!rule) return [];
  const runs = await listSoakRuns(db);
  return endpoints.map((e) => gateFor(e, runs, rule, now));
}

/**
 * The endpoints some mailbox moves onto: one probe per endpoint, each answered from the mailboxes'
 * target index (migration 0026). Not one semi-join: with most mailboxes moving onto one target,
 * PostgreSQL planned that as a scan of every mailbox, with the index or without (230–490 ms per
 * dashboard overview at 2,100,000 mailboxes), where a probe for a named endpoint is an index look-up.
 */
export async function targetEndpoints(db: Kysely<Database>): Promise<string[]> {
  const names = (await db.selectFrom('endpoint').select('name').orderBy('name').execute()).map((r) => r.name);
  const used = await Promise.all(
    names.map(
      async (name) =>
        (await db
          .selectFrom('mailbox')
          .select('address')
          .where('target_endpoint', '=', name)
          .limit(1)
          .executeTakeFirst()) !== undefined,
    ),
  );
  return names.filter((_, i) => used[i]);
}

/**
 * Target endpoints whose cutovers must wait (the runner's claim leaves their final steps), with why.
 * A soak is an event in real time, so its age is counted on NOW, the real clock, even when the
 * programme runs on a simulated one.
 */
export async function heldCutovers(
  db: Kysely<Database>,
  config: Pick<ProgrammeConfig, 'lifecycle'>,
  now: Date = new Date(),
): Promise<SoakGateState[]> {
  if (!config.lifecycle.requireSoak) return [];
  const gates = await soakGates(db, config, await targetEndpoints(db), now);
  return gates.filter((g) => !g.open);
}
