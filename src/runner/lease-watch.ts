import { TrancheError } from '../errors/tranche-error.js';

/** Why a step was stopped when its process no longer holds the mailbox's lease. */
export const LEASE_LOST =
  'the lease on this mailbox ran out or was taken over (this worker was too slow to renew it); the pass stopped so that only the new holder copies';

/** The reason a step's signal carries when its lease was lost. */
class LeaseLost extends TrancheError {
  constructor() {
    super('state', LEASE_LOST);
  }
}

/**
 * The mailboxes whose steps this process is running, each with a signal of its own. The heartbeat
 * reports which leases it could still renew; a step whose lease is gone (it ran out while the process
 * was stalled, and another worker may hold the mailbox now) is stopped at once, so two processes never
 * copy one mailbox together.
 */
export class LeaseWatch {
  readonly #steps = new Map<string, AbortController>();

  /** A step on ADDRESS begins: its signal fires when the process stops (PARENT) or loses the lease. */
  begin(address: string, parent: AbortSignal): { signal: AbortSignal; end: () => void } {
    const controller = new AbortController();
    this.#steps.set(address, controller);
    return {
      signal: AbortSignal.any([parent, controller.signal]),
      end: () => {
        if (this.#steps.get(address) === controller) this.#steps.delete(address);
      },
    };
  }

  /** The mailboxes whose steps are running now. */
  running(): string[] {
    return [...this.#steps.keys()];
  }

  /** Stops the step on ADDRESS at a safe point, its signal carrying REASON (held, or its server paused). */
  stop(address: string, reason: TrancheError): boolean {
    const controller = this.#steps.get(address);
    if (!controller) return false;
    controller.abort(reason);
    this.#steps.delete(address);
    return true;
  }

  /**
   * One heartbeat: RENEW extends the leases this process still holds and returns their mailboxes. A step
   * that was running before the renewal and is not among them has lost its lease: it is stopped.
   * Returns the mailboxes stopped. (A step that begins while the renewal runs is left for the next one.)
   */
  async renew(renew: () => Promise<string[]>): Promise<string[]> {
    const running = [...this.#steps];
    const held = new Set(await renew());
    const lost: string[] = [];
    for (const [address, controller] of running) {
      if (held.has(address) || this.#steps.get(address) !== controller) continue;
      controller.abort(new LeaseLost());
      this.#steps.delete(address);
      lost.push(address);
    }
    return lost;
  }
}

/** Whether a step's signal fired because its lease was lost (not because the process is stopping). */
export function leaseLost(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof LeaseLost;
}
