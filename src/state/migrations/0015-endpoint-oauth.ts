import type { Kysely } from 'kysely';

/**
 * OAuth2 logins on endpoints: the token source as configured (JSON, no secret), its secret sealed
 * like a password (client secret, private key, service account key), the SASL mechanism, and the
 * service profile (exchange-online, gmail).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('endpoint').addColumn('token_source', 'text').execute();
  await db.schema.alterTable('endpoint').addColumn('token_secret', 'text').execute();
  await db.schema.alterTable('endpoint').addColumn('auth_mechanism', 'text').execute();
  await db.schema.alterTable('endpoint').addColumn('profile', 'text').execute();
}
