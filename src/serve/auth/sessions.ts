import type { Kysely } from 'kysely';
import type { Database } from '../../state/schema.js';
import { newSessionId, secretHash } from './token-secret.js';

/** How long a dashboard login lasts. */
export const SESSION_MS = 12 * 3_600_000;

/** Opens a dashboard session for the token ID; returns the cookie's value (only its hash is stored). */
export async function openSession(db: Kysely<Database>, tokenId: string, now: Date): Promise<string> {
  const id = newSessionId();
  // Expired sessions go when a new one comes: the table holds only live logins (and a few stale).
  await db.deleteFrom('api_session').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('api_session')
    .values({
      id_hash: secretHash(id),
      token_id: tokenId,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_MS).toISOString(),
    })
    .execute();
  return id;
}

/** Ends the session whose cookie value is ID (logging out); unknown ids are ignored. */
export async function closeSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('api_session').where('id_hash', '=', secretHash(id)).execute();
}
