import type { Kysely } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import type { AuditEntry } from '../../state/audit/audit-entry.js';
import { recordAudit } from '../../state/audit/record-audit.js';
import type { Database } from '../../state/schema.js';
import { isRole, type Role } from './role.js';
import type { Scope } from './scope.js';
import { newToken, newTokenId, secretHash } from './token-secret.js';

/** A token as `tranche token list` shows it: never the token, never its hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  organisations: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a new token is for. */
export interface NewToken {
  role: Role;
  organisations: readonly string[];
  name: string;
}

const codes = (text: string): string[] => text.split(';').filter(Boolean);

/**
 * Makes a token and stores its hash; returns the token, which is never stored or shown again.
 * An org-admin needs at least one organisation, and every organisation must be in the programme;
 * the other roles take none.
 */
export async function createToken(
  db: Kysely<Database>,
  wanted: NewToken,
  now: Date,
): Promise<{ id: string; token: string }> {
  const organisations = [...new Set(wanted.organisations.map((o) => o.trim()).filter(Boolean))];
  if (wanted.role === 'org-admin' && organisations.length === 0)
    throw new TrancheError('usage', 'an org-admin token needs --org CODE (one or more)');
  if (wanted.role !== 'org-admin' && organisations.length > 0)
    throw new TrancheError('usage', `--org goes with --role org-admin, not ${wanted.role}`);
  if (organisations.some((o) => o.includes(';')))
    throw new TrancheError('usage', 'an organisation code cannot contain ;');
  if (organisations.length > 0) {
    const known = await db
      .selectFrom('organisation')
      .select('code')
      .where('code', 'in', organisations)
      .execute();
    const missing = organisations.filter((o) => !known.some((k) => k.code === o));
    if (missing.length > 0)
      throw new TrancheError('usage', `no organisation ${missing.join(', ')} in this programme`);
  }
  const id = newTokenId();
  const token = newToken();
  await db
    .insertInto('api_token')
    .values({
      id,
      name: wanted.name,
      role: wanted.role,
      organisations: organisations.join(';'),
      token_hash: secretHash(token),
      created_at: now.toISOString(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { id, token };
}

/** Every token, oldest first, revoked ones included (marked). */
export async function listTokens(db: Kysely<Database>): Promise<TokenInfo[]> {
  const rows = await db
    .selectFrom('api_token')
    .select(['id', 'name', 'role', 'organisations', 'created_at', 'last_used_at', 'revoked_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: isRole(r.role) ? r.role : 'helpdesk',
    organisations: codes(r.organisations),
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

/** Revokes the token ID and ends its dashboard sessions; an unknown or already revoked id is a usage error. */
export async function revokeToken(
  db: Kysely<Database>,
  id: string,
  now: Date,
  audit?: AuditEntry,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('api_token')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw new TrancheError('usage', `no live token ${id} (see tranche token list)`);
    await trx.deleteFrom('api_session').where('token_id', '=', id).execute();
    if (audit) await recordAudit(trx, [audit]);
  });
}

/** A stored token row as a scope; a role this version does not know grants nothing. */
function scopeOf(row: { id: string; name: string; role: string; organisations: string }): Scope | undefined {
  if (!isRole(row.role)) return undefined;
  return {
    tokenId: row.id,
    tokenName: row.name,
    role: row.role,
    organisations: row.role === 'org-admin' ? codes(row.organisations) : null,
  };
}

/** The scope of the live token whose SHA-256 is HASH; undefined when there is none. */
export async function scopeOfTokenHash(db: Kysely<Database>, hash: string): Promise<Scope | undefined> {
  const row = await db
    .selectFrom('api_token')
    .select(['id', 'name', 'role', 'organisations'])
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && scopeOf(row);
}

/** The scope of the live session whose id's SHA-256 is HASH, at NOW; undefined when none. */
export async function scopeOfSessionHash(
  db: Kysely<Database>,
  hash: string,
  now: Date,
): Promise<Scope | undefined> {
  const row = await db
    .selectFrom('api_session as s')
    .innerJoin('api_token as t', 't.id', 's.token_id')
    .select(['t.id', 't.name', 't.role', 't.organisations'])
    .where('s.id_hash', '=', hash)
    .where('s.expires_at', '>', now.toISOString())
    .where('t.revoked_at', 'is', null)
    .executeTakeFirst();
  return row && scopeOf(row);
}

/** Records that the token ID was used at NOW (at most once a minute, so reads stay reads). */
export async function touchToken(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
  await db
    .updateTable('api_token')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', minuteAgo)]))
    .execute();
}
