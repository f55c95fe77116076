import type { Kysely } from 'kysely';
import { isHandoff, liveLeaseRows } from '../runner/leases.js';
import { EndpointRoom, mailboxLimit } from '../limits/endpoint-room.js';
import { isAlive } from '../runner/worker-registry.js';
import type { Database } from '../state/schema.js';
import type { ProgrammeConfig } from '../programme/config/config.js';

/** A process working on the programme, as the status shows it. */
export interface WorkerSummary {
  id: string;
  host: string;
  pid: number;
  mode: string;
  alive: boolean;
  leader: boolean;
  maxMailboxes: number;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | null;
  /** The mailboxes it holds now, with the step each is on. */
  working: { mailbox: string; step: string | null }[];
}

/** An endpoint's load now against its limits. */
export interface EndpointLoad {
  endpoint: string;
  mailboxes: number;
  /** Mailboxes at once allowed now: the limit, or less while adaptive concurrency holds it down. */
  mailboxLimit: number;
  maxMailboxes: number;
  connections: number;
  maxConnections: number;
  /** Bytes copied from or to it by the passes of the last hour (programme clock). */
  bytesLastHour: number;
  bytesPerHour: number | null;
  latencyThresholdMs: number | null;
}

/** Who works on the programme, and how loaded each endpoint is. */
export interface WorkerLoad {
  workers: WorkerSummary[];
  endpoints: EndpointLoad[];
  /** Steps handed to the job queue and not yet taken by a worker. */
  queued: number;
}

/**
 * The workers (those alive, and those stopped in the last day) with the mailboxes each holds, and each
 * endpoint's live load against its limits, at NOW (programme clock, for the bytes of the last hour).
 */
export async function workerLoad(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  now: Date,
): Promise<WorkerLoad> {
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  const rows = await db
    .selectFrom('worker')
    .selectAll()
    .where((eb) => eb.or([eb('stopped_at', 'is', null), eb('stopped_at', '>', dayAgo)]))
    .orderBy('started_at')
    .execute();
  const held = await liveLeaseRows(db);
  const endpointRows = await db.selectFrom('endpoint').selectAll().orderBy('name').execute();
  const workers = rows.map((w) => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    mode: w.mode,
    alive: isAlive(w),
    leader: w.leader_since !== null && isAlive(w),
    maxMailboxes: w.max_mailboxes,
    startedAt: w.started_at,
    heartbeatAt: w.heartbeat_at,
    stoppedAt: w.stopped_at,
    working: held
      .filter((m) => m.lease_owner === w.id)
      .map((m) => ({ mailbox: m.address, step: m.next_step })),
  }));
  const room = EndpointRoom.holding(endpointRows, held, config.lifecycle.connectionsPerMailbox);
  const usage = new Map(room.usage().map((u) => [u.endpoint, u]));
  const moved = await bytesByEndpoint(db, new Date(now.getTime() - 3_600_000));
  const endpoints: EndpointLoad[] = [];
  for (const e of endpointRows) {
    endpoints.push({
      endpoint: e.name,
      mailboxes: usage.get(e.name)?.mailboxes ?? 0,
      mailboxLimit: mailboxLimit(e),
      maxMailboxes: e.max_mailboxes,
      connections: usage.get(e.name)?.connections ?? 0,
      maxConnections: e.max_connections,
      bytesLastHour: moved.get(e.name) ?? 0,
      bytesPerHour: e.bytes_per_hour === null ? null : Number(e.bytes_per_hour),
      latencyThresholdMs: e.latency_threshold_ms,
    });
  }
  return { workers, endpoints, queued: held.filter(isHandoff).length };
}

/**
 * Bytes copied from or to each endpoint by the passes finished since SINCE (programme clock): one
 * grouped read of the recent passes, which carry their endpoints.
 */
async function bytesByEndpoint(db: Kysely<Database>, since: Date): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('pass')
    .select((eb) => [
      'source_endpoint',
      'target_endpoint',
      eb.fn.sum<number | string | null>('bytes').as('n'),
    ])
    .where('finished_at', '>', since.toISOString())
    .groupBy(['source_endpoint', 'target_endpoint'])
    .execute();
  const moved = new Map<string, number>();
  for (const row of rows) {
    const ends = new Set([row.source_endpoint, row.target_endpoint]);
    for (const name of ends) if (name !== null) moved.set(name, (moved.get(name) ?? 0) + Number(row.n ?? 0));
  }
  return moved;
}
