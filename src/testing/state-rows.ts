import type { Insertable, Kysely } from 'kysely';
import type { Database, EndpointTable } from '../state/schema.js';

/**
 * Writes endpoint rows straight into a state store, for store tests that need mailboxes to hang on
 * them and never connect: `imaps://NAME.example.org`, admin 'master', generous limits, unless
 * OVERRIDES say otherwise.
 */
export async function insertEndpoints(
  db: Kysely<Database>,
  names: string[],
  overrides: Partial<Insertable<EndpointTable>> = {},
): Promise<void> {
  await db
    .insertInto('endpoint')
    .values(
      names.map((name) => ({
        name,
        url: `imaps://${name}.example.org`,
        insecure: 0,
        allow_plaintext: 0,
        admin: 'master',
        login_template: null,
        admin_secret: null,
        max_connections: 10,
        max_mailboxes: 10,
        bytes_per_hour: null,
        max_message_size: null,
        ...overrides,
      })),
    )
    .execute();
}
