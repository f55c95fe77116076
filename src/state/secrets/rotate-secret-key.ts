import { existsSync, renameSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { TrancheError } from '../../errors/tranche-error.js';
import { type Environment, processEnvironment, readEnvironment } from '../../environment/environment.js';
import type { AuditEntry } from '../audit/audit-entry.js';
import { recordAudit } from '../audit/record-audit.js';
import { LOCK, withExclusiveWrite } from '../exclusive-write.js';
import type { Database } from '../schema.js';
import {
  keyFileSource,
  legacyPreviousKeyFile,
  nextKeyFile,
  readKeyFiles,
  retiredKeyFile,
} from './key-files.js';
import { SecretBox } from './secret-box.js';
import { generateSecretKey, loadSecretKey, writeSecretKey, type SecretKey } from './secret-key.js';

export { nextKeyFile, retiredKeyFile } from './key-files.js';

/** Every sealed column in the store: rotation re-seals them all. */
const SEALED_COLUMNS = [
  { table: 'endpoint', key: 'name', column: 'admin_secret' },
  { table: 'endpoint', key: 'name', column: 'token_secret' },
  { table: 'mailbox', key: 'address', column: 'source_secret' },
  { table: 'mailbox', key: 'address', column: 'target_secret' },
] as const;

/** The points of a rotation, in order, at which a test may stop it (as a kill would). */
export const ROTATION_STEPS = [
  'next-key-written',
  'resealing',
  'resealed',
  'previous-kept',
  'key-replaced',
  'swept',
] as const;

/** One point of a rotation. */
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** How a rotation runs beyond its key file. */
export interface RotationOptions {
  env?: Environment;
  /** Called at each step; a throw stops the rotation there (tests interrupt it so). */
  step?: (step: RotationStep) => void | Promise<void>;
  /**
   * How long to wait after writing KEY.next before re-sealing, so that every running process
   * (which looks at the key files at most once a second) seals with the new key from then on.
   */
  settleMs?: number;
  /** Who rotates, for the audit trail (default: `tranche`). */
  actor?: string;
}

/** What a rotation did. */
export interface RotationResult {
  from: string;
  to: string;
  resealed: number;
  /** Where the retired key is kept (delete it once backups hold the new one). */
  retiredFile: string | undefined;
}

/**
 * The key file's keys, plus the next one when a rotation is under way or was interrupted: every
 * stored secret opens. The box follows the key files, so a running process picks up a rotation.
 */
export function loadKeyring(keyFile: string, env: Environment = processEnvironment()): SecretBox {
  if (readEnvironment('TRANCHE_SECRET_KEY', env)) return new SecretBox(loadSecretKey(keyFile, env));
  return SecretBox.following(keyFileSource(keyFile));
}

/**
 * Re-seals every stored secret not sealed with TO's key; READER opens the rest. AUDIT gives the
 * trail's entry for what was re-sealed (or none), written in the same transaction as the change.
 */
async function reseal(
  db: Kysely<Database>,
  reader: SecretBox,
  to: SecretKey,
  audit: (resealed: number) => AuditEntry | undefined,
  beforeCommit: () => void | Promise<void>,
): Promise<number> {
  const writer = new SecretBox(to);
  // One write transaction (BEGIN IMMEDIATE on SQLite: it waits for a runner's write instead of
  // failing with "database is locked" on upgrading a read).
  return withExclusiveWrite(db, LOCK.secrets, async (trx) => {
    let resealed = 0;
    for (const { table, key, column } of SEALED_COLUMNS) {
      const rows = await trx
        .selectFrom(table)
        .select([key, column])
        .where(column, 'is not', null)
        .where(column, 'not like', `v1:${to.id}:%`)
        .execute();
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
    const entry = audit(resealed);
    if (entry) await recordAudit(trx, [entry]);
    await beforeCommit();
    return resealed;
  });
}

/**
 * Replaces the secret key. KEY exists at every moment, and every secret opens at every moment:
 * the new key is written to KEY.next (0600) and running processes seal with it from then on;
 * every sealed value is re-sealed with it in one transaction, which also writes the audit trail's
 * entry; the old key is kept in KEY.previous-<id> (one file per retired key, never overwritten);
 * KEY.next is renamed over KEY; a last sweep re-seals anything a process sealed with the old key
 * meanwhile. Interrupted anywhere, a re-run finishes it. A key from TRANCHE_SECRET_KEY can't be
 * rotated here.
 */
export async function rotateSecretKey(
  db: Kysely<Database>,
  keyFile: string,
  options: RotationOptions = {},
): Promise<RotationResult> {
  const env = options.env ?? processEnvironment();
  const step = options.step ?? (() => undefined);
  if (readEnvironment('TRANCHE_SECRET_KEY', env)) {
    throw new TrancheError(
      'usage',
      'the secret key comes from TRANCHE_SECRET_KEY: unset it to rotate the key file, or manage that key where it is kept',
    );
  }
  const next = nextKeyFile(keyFile);
  const resuming = existsSync(next);
  const held = readKeyFiles(keyFile);
  // Resuming, KEY.next is the first key; KEY is the second, or (stopped by an older tranche
  // between its renames) missing, when the legacy KEY.previous is the one being retired.
  const current = existsSync(keyFile)
    ? loadSecretKey(keyFile, {})
    : existsSync(legacyPreviousKeyFile(keyFile))
      ? loadSecretKey(legacyPreviousKeyFile(keyFile), {})
      : undefined;
  if (!resuming) writeSecretKey(next, generateSecretKey());
  const to = loadSecretKey(next, {});
  await step('next-key-written');
  if (!resuming && (options.settleMs ?? 1100) > 0) {
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 1100));
  }
  const reader = new SecretBox(to, ...held);
  const from = current?.id ?? '?';
  const actor = options.actor ?? 'tranche';
  // The trail's entry goes with the re-sealing, in its transaction: a rotation stopped before it
  // commits left neither; one stopped after has both, and its re-run adds an entry of its own.
  let resealed = await reseal(
    db,
    reader,
    to,
    (n) => ({
      actor,
      action: 'secrets.rotate',
      subject: 'secret key',
      after: { from, to: to.id, resealed: n, ...(resuming ? { resumed: true } : {}) },
    }),
    () => step('resealing'),
  );
  await step('resealed');
  let retiredFile: string | undefined;
  if (current && current.id !== to.id) {
    retiredFile = retiredKeyFile(keyFile, current.id);
    if (!existsSync(retiredFile)) writeSecretKey(retiredFile, current);
  }
  await step('previous-kept');
  renameSync(next, keyFile);
  await step('key-replaced');
  // Values a process sealed with the old key meanwhile: recorded only when there were any.
  resealed += await reseal(
    db,
    reader,
    to,
    (n) =>
      n === 0
        ? undefined
        : {
            actor,
            action: 'secrets.rotate',
            subject: 'secret key',
            after: { to: to.id, resealed: n, sweep: true },
          },
    () => undefined,
  );
  await step('swept');
  return { from, to: to.id, resealed, retiredFile };
}
