import type { Selectable } from 'kysely';
import type { EndpointTable } from '../state/schema.js';
import { ByteBudget } from './byte-budget.js';
import type { Clock } from './clock.js';

/** The endpoints of a mailbox. */
export interface MailboxEnds {
  source_endpoint: string;
  target_endpoint: string;
}

/** What one running mailbox holds on an endpoint. */
export interface Hold {
  endpoint: string;
  connections: number;
}

interface Load {
  limits: Selectable<EndpointTable>;
  mailboxes: number;
  connections: number;
  budget: ByteBudget | undefined;
}

/**
 * Each endpoint's limits as this runner enforces them: mailboxes and connections at once, and its
 * bytes-per-hour budget. A mailbox starts only when both its endpoints have room.
 */
export class EndpointLoad {
  readonly #loads = new Map<string, Load>();

  constructor(endpoints: Selectable<EndpointTable>[], clock: Clock) {
    for (const e of endpoints) {
      const perHour = e.bytes_per_hour === null ? undefined : Number(e.bytes_per_hour);
      this.#loads.set(e.name, {
        limits: e,
        mailboxes: 0,
        connections: 0,
        budget: perHour ? new ByteBudget(perHour, clock) : undefined,
      });
    }
  }

  #load(name: string): Load {
    const load = this.#loads.get(name);
    if (!load) throw new Error(`endpoint ${name} is not known to this runner`);
    return load;
  }

  /** Connections a mailbox uses to each side: what it asks for, within both endpoints' caps. */
  connectionsPerMailbox(mailbox: MailboxEnds, wanted: number): number {
    const cap = (name: string): number => this.#load(name).limits.max_connections;
    const both = mailbox.source_endpoint === mailbox.target_endpoint ? 2 : 1;
    return Math.max(
      1,
      Math.min(wanted, Math.floor(cap(mailbox.source_endpoint) / both), cap(mailbox.target_endpoint)),
    );
  }

  /** What a mailbox holds while it is copied: one mailbox and its connections on each endpoint. */
  holdsFor(mailbox: MailboxEnds, wanted: number): Hold[] {
    const connections = this.connectionsPerMailbox(mailbox, wanted);
    if (mailbox.source_endpoint === mailbox.target_endpoint)
      return [{ endpoint: mailbox.source_endpoint, connections: 2 * connections }];
    return [
      { endpoint: mailbox.source_endpoint, connections },
      { endpoint: mailbox.target_endpoint, connections },
    ];
  }

  /** Whether every hold fits now. */
  fits(holds: Hold[]): boolean {
    return holds.every((h) => {
      const load = this.#load(h.endpoint);
      return (
        load.mailboxes + 1 <= load.limits.max_mailboxes &&
        load.connections + h.connections <= load.limits.max_connections
      );
    });
  }

  /** Endpoints with no room for another mailbox, so the claim can skip their mailboxes. */
  full(): string[] {
    return [...this.#loads.values()]
      .filter((l) => l.mailboxes >= l.limits.max_mailboxes || l.connections >= l.limits.max_connections)
      .map((l) => l.limits.name);
  }

  acquire(holds: Hold[]): void {
    for (const h of holds) {
      const load = this.#load(h.endpoint);
      load.mailboxes++;
      load.connections += h.connections;
    }
  }

  release(holds: Hold[]): void {
    for (const h of holds) {
      const load = this.#load(h.endpoint);
      load.mailboxes--;
      load.connections -= h.connections;
    }
  }

  /** Waits for the byte budgets of both endpoints of a copy (each that has one). */
  async pace(endpoints: string[], bytes: number, signal?: AbortSignal): Promise<void> {
    for (const name of endpoints) await this.#load(name).budget?.take(bytes, signal);
  }
}
