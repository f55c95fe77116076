import { existsSync, renameSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import type { Database } from '../schema.js';
import { SecretBox } from './secret-box.js';
import { generateSecretKey, loadSecretKey, writeSecretKey, type SecretKey } from './secret-key.js';
import { type Environment, processEnvironment, readEnvironment } from '../../environment/environment.js';

/** Every sealed column in the store: rotation re-seals them all. */
const SEALED_COLUMNS = [
  { table: 'endpoint', key: 'name', column: 'admin_secret' },
  { table: 'endpoint', key: 'name', column: 'token_secret' },
  { table: 'mailbox', key: 'address', column: 'source_secret' },
  { table: 'mailbox', key: 'address', column: 'target_secret' },
] as const;

/** Where a rotation under way keeps the new key until the store is re-sealed. */
export function nextKeyFile(keyFile: string): string {
  return `${keyFile}.next`;
}

/** The key file's key, plus the next one when a rotation was interrupted: every stored secret opens. */
export function loadKeyring(keyFile: string, env: Environment = processEnvironment()): SecretBox {
  const current = loadSecretKey(keyFile, env);
  const next =
    !readEnvironment('TRANCHE_SECRET_KEY', env) && existsSync(nextKeyFile(keyFile))
      ? [loadSecretKey(nextKeyFile(keyFile), {})]
      : [];
  return new SecretBox(current, ...next);
}

/**
 * Replaces the secret key. Crash-safe in this order: the new key is written to KEY.next (0600);
 * every sealed value is re-sealed with it in one transaction; KEY becomes KEY.previous and KEY.next
 * becomes KEY. Interrupted anywhere, every secret still opens (loadKeyring reads both files), and
 * running the rotation again finishes it. A key from TRANCHE_SECRET_KEY can't be rotated here.
 */
export async function rotateSecretKey(
  db: Kysely<Database>,
  keyFile: string,
  env: Environment = processEnvironment(),
): Promise<{ from: string; to: string; resealed: number }> {
  if (readEnvironment('TRANCHE_SECRET_KEY', env)) {
    throw new TrancheError(
      'usage',
      'the secret key comes from TRANCHE_SECRET_KEY: unset it to rotate the key file, or manage that key where it is kept',
    );
  }
  const current = loadSecretKey(keyFile, {});
  const next: SecretKey = existsSync(nextKeyFile(keyFile))
    ? loadSecretKey(nextKeyFile(keyFile), {})
    : generateSecretKey();
  if (!existsSync(nextKeyFile(keyFile))) writeSecretKey(nextKeyFile(keyFile), next);
  const reader = new SecretBox(current, next);
  const writer = new SecretBox(next);
  let resealed = 0;
  await db.transaction().execute(async (trx) => {
    for (const { table, key, column } of SEALED_COLUMNS) {
      const rows = await trx.selectFrom(table).select([key, column]).where(column, 'is not', null).execute();
      for (const row of rows) {
        const sealed = row[column];
        if (sealed === null) continue;
        await trx
          .updateTable(table)
          .set({ [column]: writer.seal(reader.open(sealed)) })
          .where(key, '=', row[key])
          .execute();
        resealed++;
      }
    }
  });
  renameSync(keyFile, `${keyFile}.previous`);
  renameSync(nextKeyFile(keyFile), keyFile);
  return { from: current.id, to: next.id, resealed };
}
