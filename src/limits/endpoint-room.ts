import type { Selectable } from 'kysely';
import type { EndpointTable } from '../state/schema.js';

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

type EndpointLimits = Pick<
  Selectable<EndpointTable>,
  'name' | 'max_connections' | 'max_mailboxes' | 'concurrency'
>;

/** Mailboxes an endpoint runs at once now: its limit, or less while adaptive concurrency holds it down. */
export function mailboxLimit(endpoint: EndpointLimits): number {
  return Math.max(1, Math.min(endpoint.max_mailboxes, endpoint.concurrency ?? endpoint.max_mailboxes));
}

/** Connections a mailbox uses to each side: what it asks for, within both endpoints' caps. */
export function connectionsPerMailbox(
  endpoints: ReadonlyMap<string, EndpointLimits>,
  mailbox: MailboxEnds,
  wanted: number,
): number {
  const cap = (name: string): number => {
    const endpoint = endpoints.get(name);
    if (!endpoint) throw new Error(`endpoint ${name} is not known`);
    return endpoint.max_connections;
  };
  const both = mailbox.source_endpoint === mailbox.target_endpoint ? 2 : 1;
  return Math.max(
    1,
    Math.min(wanted, Math.floor(cap(mailbox.source_endpoint) / both), cap(mailbox.target_endpoint)),
  );
}

interface Load {
  limits: EndpointLimits;
  mailboxes: number;
  connections: number;
}

/**
 * The room left on each endpoint, from what the live leases hold: mailboxes and connections at once.
 * Built inside the claim's exclusive transaction, so every worker's admissions count.
 */
export class EndpointRoom {
  readonly #endpoints: ReadonlyMap<string, EndpointLimits>;
  readonly #wanted: number;
  readonly #loads = new Map<string, Load>();

  /** WANTED: the connections each mailbox asks for (lifecycle.connectionsPerMailbox). */
  constructor(endpoints: EndpointLimits[], wanted: number) {
    this.#endpoints = new Map(endpoints.map((e) => [e.name, e]));
    this.#wanted = wanted;
    for (const e of endpoints) this.#loads.set(e.name, { limits: e, mailboxes: 0, connections: 0 });
  }

  /** The room left on ENDPOINTS by the mailboxes HELD (the live leases). */
  static holding(endpoints: EndpointLimits[], held: MailboxEnds[], wanted: number): EndpointRoom {
    const room = new EndpointRoom(endpoints, wanted);
    for (const m of held) room.acquire(room.holdsFor(m));
    return room;
  }

  #load(name: string): Load {
    const load = this.#loads.get(name);
    if (!load) throw new Error(`endpoint ${name} is not known`);
    return load;
  }

  /** What a mailbox holds while it is copied: one mailbox and its connections on each endpoint. */
  holdsFor(mailbox: MailboxEnds): Hold[] {
    const connections = connectionsPerMailbox(this.#endpoints, mailbox, this.#wanted);
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
        load.mailboxes + 1 <= mailboxLimit(load.limits) &&
        load.connections + h.connections <= load.limits.max_connections
      );
    });
  }

  /** Endpoints with no room for another mailbox, so a claim can skip their mailboxes. */
  full(): string[] {
    return [...this.#loads.values()]
      .filter((l) => l.mailboxes >= mailboxLimit(l.limits) || l.connections >= l.limits.max_connections)
      .map((l) => l.limits.name);
  }

  /** Counts a mailbox's holds (a live lease, or one just admitted). */
  acquire(holds: Hold[]): void {
    for (const h of holds) {
      const load = this.#load(h.endpoint);
      load.mailboxes++;
      load.connections += h.connections;
    }
  }

  /** Mailboxes and connections held on each endpoint. */
  usage(): { endpoint: string; mailboxes: number; connections: number }[] {
    return [...this.#loads.values()].map((l) => ({
      endpoint: l.limits.name,
      mailboxes: l.mailboxes,
      connections: l.connections,
    }));
  }
}
