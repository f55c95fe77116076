import type { Kysely } from 'kysely';
import { toTrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import type { Clock } from '../limits/clock.js';
import { newOwnerId, releaseDeadLocalLeases, renewLeases } from './leases.js';
import { stepContext, type StepContext } from './run-step.js';
import { stopSetAsideSteps } from './step-stop.js';
import { WorkerRegistry, type WorkerMode } from './worker-registry.js';

/** What a runner or worker starts from. */
export interface WorkingSetup {
  db: Kysely<Database>;
  box: SecretBox;
  config: ProgrammeConfig;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  mode: WorkerMode;
  maxMailboxes: number;
  leaseMs: number;
}

/** A process at work on a programme: its name, registry entry, step context, and heartbeat. */
export interface Working {
  owner: string;
  logger: Logger;
  registry: WorkerRegistry;
  ctx: StepContext;
  /** Stops the heartbeat and marks the process stopped in the registry. */
  stop: () => Promise<void>;
}

/**
 * How often a process reads the endpoints again (real time), so a changed limit reaches it while its
 * steps run; each step also reads them as it starts.
 */
export const ENDPOINT_REFRESH_MS = 2_000;

/**
 * Enters a process in the programme's worker registry, frees the leases of dead processes of this
 * host at once, builds its step context, and beats (leases and registry) every third of a lease. A
 * step whose lease could not be renewed (it ran out) is stopped: another worker may hold it now. The
 * endpoints are read again every ENDPOINT_REFRESH_MS (`tranche endpoint set` on a live programme).
 */
export async function startWorking(setup: WorkingSetup): Promise<Working> {
  const { db, leaseMs } = setup;
  const owner = newOwnerId();
  const logger = setup.logger.child({ worker: owner });
  const registry = new WorkerRegistry(db, owner, leaseMs / 3);
  await registry.register(setup.mode, setup.maxMailboxes);
  const released = await releaseDeadLocalLeases(db, owner);
  if (released > 0) logger.info({ released }, 'took back mailboxes held by a process that is gone');
  const ctx = await stepContext({ ...setup, owner, logger });
  const heartbeat = setInterval(() => {
    Promise.all([ctx.leases.renew(() => renewLeases(db, owner, leaseMs)), registry.beat()]).catch(
      (error: unknown) => logger.error({ err: toTrancheError(error) }, 'heartbeat failed'),
    );
  }, leaseMs / 3);
  heartbeat.unref();
  const refresh = setInterval(() => {
    ctx
      .refreshEndpoints()
      .then(() => stopSetAsideSteps(db, ctx.leases))
      .then((stopped) => {
        if (stopped.length > 0)
          logger.info({ stopped }, 'held or paused: running steps stop at a safe point');
      })
      .catch((error: unknown) =>
        logger.error({ err: toTrancheError(error) }, 'reading the endpoints failed'),
      );
  }, ENDPOINT_REFRESH_MS);
  refresh.unref();
  return {
    owner,
    logger,
    registry,
    ctx,
    stop: async () => {
      clearInterval(heartbeat);
      clearInterval(refresh);
      await registry.stop().catch(() => undefined);
    },
  };
}
