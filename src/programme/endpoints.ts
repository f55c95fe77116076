import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import { parseImapUrl } from '../mailstore/imap/endpoint.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';

/** Per-endpoint limits; every global limit has this one owner (design.md). */
export interface EndpointLimits {
  /** Connections open to the server at once, all workers together. */
  maxConnections: number;
  /** Mailboxes being copied at once. */
  maxMailboxes: number;
  /** Bytes per hour written to (or read from) the server, when the server sets a budget. */
  bytesPerHour: number | undefined;
  /** Largest message the server takes, when known. */
  maxMessageSize: number | undefined;
  /**
   * A login slower than this (milliseconds) halves the mailboxes run at once on the endpoint; it is
   * raised again, one at a time, while logins are faster. Undefined: no adapting.
   */
  latencyThresholdMs: number | undefined;
}

/** An endpoint as given by an administrator. */
export interface EndpointInput extends EndpointLimits {
  name: string;
  url: string;
  insecure: boolean;
  allowPlaintext: boolean;
  admin: string | undefined;
  loginTemplate: string | undefined;
  /** The admin's password; sealed before it is stored. */
  adminPassword: string | undefined;
}

/** An endpoint as listed: everything but the secret, of which only its presence is told. */
export interface EndpointSummary extends Omit<EndpointInput, 'adminPassword'> {
  hasAdminPassword: boolean;
}

/** Defaults suited to a hosted target: a few connections, a few mailboxes at once. */
export const DEFAULT_LIMITS: EndpointLimits = {
  maxConnections: 10,
  maxMailboxes: 4,
  bytesPerHour: undefined,
  maxMessageSize: undefined,
  latencyThresholdMs: undefined,
};

const optionalNumber = (value: string | number | null): number | undefined =>
  value === null ? undefined : Number(value);

/** The programme's endpoints in the state store; admin passwords go in and out sealed. */
export class Endpoints {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;

  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /** Adds an endpoint; a name in use, a bad URL or an admin without a password is a usage error. */
  async add(input: EndpointInput): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name)) {
      throw new TrancheError(
        'usage',
        `endpoint name '${input.name}': letters, digits, '.', '_' and '-' only`,
      );
    }
    parseImapUrl(input.url, `endpoint ${input.name}: --url`);
    if (input.admin && !input.adminPassword) {
      throw new TrancheError(
        'usage',
        `endpoint ${input.name}: an admin needs a password (--admin-password-file or TRANCHE_ENDPOINT_PASSWORD)`,
      );
    }
    if (input.loginTemplate && !input.admin) {
      throw new TrancheError('usage', `endpoint ${input.name}: --login-template needs --admin`);
    }
    const existing = await this.#db
      .selectFrom('endpoint')
      .select('name')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (existing) throw new TrancheError('usage', `endpoint ${input.name} exists already; remove it first`);
    await this.#db
      .insertInto('endpoint')
      .values({
        name: input.name,
        url: input.url,
        insecure: input.insecure ? 1 : 0,
        allow_plaintext: input.allowPlaintext ? 1 : 0,
        admin: input.admin ?? null,
        login_template: input.loginTemplate ?? null,
        admin_secret: input.adminPassword ? this.#box.seal(input.adminPassword) : null,
        max_connections: input.maxConnections,
        max_mailboxes: input.maxMailboxes,
        bytes_per_hour: input.bytesPerHour ?? null,
        max_message_size: input.maxMessageSize ?? null,
        latency_threshold_ms: input.latencyThresholdMs ?? null,
      })
      .execute();
  }

  /** Every endpoint, by name, without secrets. */
  async list(): Promise<EndpointSummary[]> {
    const rows = await this.#db.selectFrom('endpoint').selectAll().orderBy('name').execute();
    return rows.map((row) => ({
      name: row.name,
      url: row.url,
      insecure: row.insecure === 1,
      allowPlaintext: row.allow_plaintext === 1,
      admin: row.admin ?? undefined,
      loginTemplate: row.login_template ?? undefined,
      hasAdminPassword: row.admin_secret !== null,
      maxConnections: row.max_connections,
      maxMailboxes: row.max_mailboxes,
      bytesPerHour: optionalNumber(row.bytes_per_hour),
      maxMessageSize: optionalNumber(row.max_message_size),
      latencyThresholdMs: optionalNumber(row.latency_threshold_ms),
    }));
  }

  /** The admin password of an endpoint, opened; for logging in, never for display. */
  async adminPassword(name: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('endpoint')
      .select('admin_secret')
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new TrancheError('usage', `no endpoint named ${name}`);
    return row.admin_secret === null ? undefined : this.#box.open(row.admin_secret);
  }

  /** Removes an endpoint; an unknown name is a usage error. */
  async remove(name: string): Promise<void> {
    const result = await this.#db.deleteFrom('endpoint').where('name', '=', name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new TrancheError('usage', `no endpoint named ${name}`);
  }
}
