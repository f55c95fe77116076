import type { Kysely, Selectable } from 'kysely';
import type { OAuthSetting } from '../../credentials/token-source-spec.js';
import { TrancheError } from '../../errors/tranche-error.js';
import { concurrencyAfterChange } from '../../limits/adaptive-concurrency.js';
import { bucketAfterRateChange } from '../../limits/byte-budget.js';
import type { AuditEntry } from '../../state/audit/audit-entry.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import { LOCK, withExclusiveWrite } from '../../state/exclusive-write.js';
import type { Database, EndpointTable } from '../../state/schema.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';
import { checkStoreUrl } from '../../mailstore/open-mail-store.js';
import { checkDavUrl } from './dav-login.js';
import { serviceProfile, type ServiceProfileName } from '../../mailstore/service-profile.js';

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
   * Bytes each mailbox may receive per day window (Gmail's upload allowance, about 500 MB): a step
   * that reaches it stops and goes on in the next window. Undefined: no allowance.
   */
  bytesPerMailboxPerDay?: number | undefined;
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
  /** Log in with OAuth2 tokens from this source (its secret sealed before it is stored). */
  oauth?: OAuthSetting | undefined;
  /** What the service does differently (exchange-online, gmail). */
  profile?: ServiceProfileName | undefined;
  /** The users' CalDAV/CardDAV address ('{user}' in it): calendars and contacts move with the mail. */
  davUrl?: string | undefined;
}

/** An endpoint as listed: everything but the secrets, of which only their presence is told. */
export interface EndpointSummary extends Omit<EndpointInput, 'adminPassword' | 'oauth'> {
  hasAdminPassword: boolean;
  /** The kind of OAuth2 token source ('command', 'client-credentials', 'microsoft', 'google'), if any. */
  tokenSource: string | undefined;
  /** The SASL mechanism tokens go in with, with a token source. */
  authMechanism: string | undefined;
  hasTokenSecret: boolean;
}

/**
 * What `set` changes on an endpoint: a field left out stays as it is; null clears an optional one
 * (no admin: user logins, which forgets the admin's password and login template too).
 */
export interface EndpointChanges {
  url?: string;
  insecure?: boolean;
  allowPlaintext?: boolean;
  admin?: string | null;
  loginTemplate?: string | null;
  /** The admin's new password; a different admin needs one. Sealed before it is stored. */
  adminPassword?: string;
  /** A new OAuth2 token source with its secret; null: back to password logins. */
  oauth?: OAuthSetting | null;
  profile?: ServiceProfileName | null;
  /** A new DAV address; null: mail only. */
  davUrl?: string | null;
  maxConnections?: number;
  maxMailboxes?: number;
  bytesPerHour?: number | null;
  maxMessageSize?: number | null;
  bytesPerMailboxPerDay?: number | null;
  latencyThresholdMs?: number | null;
}

/** An endpoint before and after `set`, without secrets. */
export interface EndpointUpdate {
  before: EndpointSummary;
  after: EndpointSummary;
  /** A password replaced the admin's stored one (which summaries alone do not tell). */
  adminPasswordReplaced: boolean;
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

/** An endpoint row as listed: its secret only as whether there is one. */
function summaryOf(row: Selectable<EndpointTable>): EndpointSummary {
  return {
    name: row.name,
    url: row.url,
    insecure: row.insecure === 1,
    allowPlaintext: row.allow_plaintext === 1,
    admin: row.admin ?? undefined,
    loginTemplate: row.login_template ?? undefined,
    hasAdminPassword: row.admin_secret !== null,
    tokenSource:
      row.token_source === null ? undefined : (JSON.parse(row.token_source) as { kind: string }).kind,
    authMechanism: row.auth_mechanism ?? undefined,
    hasTokenSecret: row.token_secret !== null,
    profile: (row.profile as ServiceProfileName | null) ?? undefined,
    davUrl: row.dav_url ?? undefined,
    maxConnections: row.max_connections,
    maxMailboxes: row.max_mailboxes,
    bytesPerHour: optionalNumber(row.bytes_per_hour),
    maxMessageSize: optionalNumber(row.max_message_size),
    bytesPerMailboxPerDay: optionalNumber(row.bytes_per_mailbox_per_day),
    latencyThresholdMs: optionalNumber(row.latency_threshold_ms),
  };
}

/** How an endpoint logs in, checked the same way by add and set: a usage error names what is wrong. */
function checkLogin(
  name: string,
  login: {
    url: string;
    admin: string | null;
    hasPassword: boolean;
    loginTemplate: string | null;
    oauth: boolean;
  },
): void {
  checkStoreUrl(login.url, `endpoint ${name}: --url`);
  if (login.admin && login.oauth) {
    throw new TrancheError(
      'usage',
      `endpoint ${name}: an OAuth2 token logs in as each mailbox; --admin does not go with a token source`,
    );
  }
  if (login.admin && !login.hasPassword) {
    throw new TrancheError(
      'usage',
      `endpoint ${name}: an admin needs a password (--admin-password-file or TRANCHE_ENDPOINT_PASSWORD)`,
    );
  }
  if (login.loginTemplate && !login.admin) {
    throw new TrancheError('usage', `endpoint ${name}: --login-template needs --admin`);
  }
}

/** CHANGE when given (null included), else what was there. */
const changed = <T>(change: T | undefined, was: T): T => (change === undefined ? was : change);

/** The programme's endpoints in the state store; admin passwords go in and out sealed. */
export class Endpoints {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;

  constructor(db: Kysely<Database>, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /**
   * Adds an endpoint; a name in use, a bad URL or an admin without a password is a usage error. AUDIT,
   * when given, is recorded in the same transaction as the row (both or neither).
   */
  async add(input: EndpointInput, audit?: AuditEntry): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name)) {
      throw new TrancheError(
        'usage',
        `endpoint name '${input.name}': letters, digits, '.', '_' and '-' only`,
      );
    }
    checkLogin(input.name, {
      url: input.url,
      admin: input.admin ?? null,
      hasPassword: Boolean(input.adminPassword),
      loginTemplate: input.loginTemplate ?? null,
      oauth: input.oauth !== undefined,
    });
    if (input.davUrl !== undefined) checkDavUrl(input.name, input.davUrl);
    await this.#db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('endpoint')
        .select('name')
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (existing) throw new TrancheError('usage', `endpoint ${input.name} exists already; remove it first`);
      await this.#insert(tx, input);
      if (audit) await recordAudit(tx, [audit]);
    });
  }

  /** The row of a new endpoint, its secrets sealed. */
  async #insert(tx: Kysely<Database>, input: EndpointInput): Promise<void> {
    await tx
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
        max_message_size: input.maxMessageSize ?? serviceProfile(input.profile)?.maxMessageSize ?? null,
        bytes_per_mailbox_per_day:
          input.bytesPerMailboxPerDay ?? serviceProfile(input.profile)?.bytesPerDay ?? null,
        latency_threshold_ms: input.latencyThresholdMs ?? null,
        ...this.#oauthColumns(input.oauth),
        profile: input.profile ?? null,
        dav_url: input.davUrl ?? null,
      })
      .execute();
  }

  /** The OAuth2 columns of a setting, its secret sealed; all null for password logins. */
  #oauthColumns(
    oauth: OAuthSetting | null | undefined,
  ): Pick<EndpointTable, 'token_source' | 'token_secret' | 'auth_mechanism'> {
    if (!oauth) return { token_source: null, token_secret: null, auth_mechanism: null };
    return {
      token_source: JSON.stringify(oauth.spec),
      token_secret: oauth.secret === undefined ? null : this.#box.seal(oauth.secret),
      auth_mechanism: oauth.mechanism,
    };
  }

  /** Every endpoint, by name, without secrets. */
  async list(): Promise<EndpointSummary[]> {
    const rows = await this.#db.selectFrom('endpoint').selectAll().orderBy('name').execute();
    return rows.map(summaryOf);
  }

  /**
   * Changes an endpoint's settings and limits in place, while runners and workers use it: they read
   * the row again within seconds. Checked as add checks; an unknown name, or nothing to change, is a
   * usage error. The state the limits keep moves with them, under the lock that guards it: the
   * adaptive concurrency never exceeds a new max_mailboxes, and the byte bucket never holds more than
   * a minute of a new rate. AUDIT, when given, says what the update means for the trail, recorded in
   * the same transaction.
   */
  async set(
    name: string,
    changes: EndpointChanges,
    audit?: (update: EndpointUpdate) => AuditEntry,
  ): Promise<EndpointUpdate> {
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new TrancheError(
        'usage',
        `endpoint ${name}: nothing to change (see tranche endpoint set --help)`,
      );
    }
    return withExclusiveWrite(this.#db, LOCK.endpoint, async (tx) => {
      const row = await tx.selectFrom('endpoint').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) throw new TrancheError('usage', `no endpoint named ${name}`);
      const admin = changed(changes.admin, row.admin);
      if (changes.adminPassword !== undefined && !admin) {
        throw new TrancheError('usage', `endpoint ${name}: an admin password needs an admin (--admin)`);
      }
      const adminSecret =
        changes.adminPassword !== undefined
          ? this.#box.seal(changes.adminPassword)
          : admin === row.admin
            ? row.admin_secret
            : null;
      const login = {
        url: changed(changes.url, row.url),
        admin,
        hasPassword: adminSecret !== null,
        loginTemplate: changed(changes.loginTemplate, admin === null ? null : row.login_template),
        oauth: changes.oauth === undefined ? row.token_source !== null : changes.oauth !== null,
      };
      checkLogin(name, login);
      if (changes.davUrl) checkDavUrl(name, changes.davUrl);
      const maxMailboxes = changed(changes.maxMailboxes, row.max_mailboxes);
      const latencyThresholdMs = changed(changes.latencyThresholdMs, row.latency_threshold_ms);
      const bytesPerHour = changed(changes.bytesPerHour, optionalNumber(row.bytes_per_hour) ?? null);
      const values = {
        url: login.url,
        insecure: changed(changes.insecure, row.insecure === 1) ? 1 : 0,
        allow_plaintext: changed(changes.allowPlaintext, row.allow_plaintext === 1) ? 1 : 0,
        admin,
        login_template: login.loginTemplate,
        admin_secret: adminSecret,
        max_connections: changed(changes.maxConnections, row.max_connections),
        max_mailboxes: maxMailboxes,
        bytes_per_hour: bytesPerHour,
        max_message_size: changed(changes.maxMessageSize, optionalNumber(row.max_message_size) ?? null),
        bytes_per_mailbox_per_day: changed(
          changes.bytesPerMailboxPerDay,
          optionalNumber(row.bytes_per_mailbox_per_day) ?? null,
        ),
        latency_threshold_ms: latencyThresholdMs,
        ...(changes.oauth === undefined ? {} : this.#oauthColumns(changes.oauth)),
        profile: changed(changes.profile, row.profile),
        dav_url: changed(changes.davUrl, row.dav_url),
        ...concurrencyAfterChange(row, maxMailboxes, latencyThresholdMs),
        ...bucketAfterRateChange(row, bytesPerHour),
      };
      await tx.updateTable('endpoint').set(values).where('name', '=', name).execute();
      const update = {
        before: summaryOf(row),
        after: summaryOf({ ...row, ...values }),
        adminPasswordReplaced: changes.adminPassword !== undefined && row.admin_secret !== null,
      };
      if (audit) await recordAudit(tx, [audit(update)]);
      return update;
    });
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

  /** Removes an endpoint; an unknown name is a usage error. AUDIT, when given, goes in the same transaction. */
  async remove(name: string, audit?: AuditEntry): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      const result = await tx.deleteFrom('endpoint').where('name', '=', name).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw new TrancheError('usage', `no endpoint named ${name}`);
      if (audit) await recordAudit(tx, [audit]);
    });
  }
}
