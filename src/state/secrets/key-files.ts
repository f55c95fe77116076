import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TrancheError } from '../../errors/tranche-error.js';
import type { KeySource } from './secret-box.js';
import { loadSecretKey, type SecretKey } from './secret-key.js';

/** Where a rotation under way keeps the new key until the store is re-sealed. */
export function nextKeyFile(keyFile: string): string {
  return `${keyFile}.next`;
}

/** Where a rotation keeps the key it retires, one file per key (a second rotation never overwrites the first's). */
export function retiredKeyFile(keyFile: string, keyId: string): string {
  return `${keyFile}.previous-${keyId}`;
}

/** The key rotations of tranche before 0.2 left behind (one file, overwritten by each rotation). */
export function legacyPreviousKeyFile(keyFile: string): string {
  return `${keyFile}.previous`;
}

/** The retired keys still on disk (KEY.previous-<id>, and an older tranche's KEY.previous): they still open. */
export function retiredKeys(keyFile: string): SecretKey[] {
  const name = basename(keyFile);
  return readdirSync(dirname(keyFile))
    .filter((f) => f === `${name}.previous` || (f.startsWith(`${name}.previous-`) && !f.includes('.tmp-')))
    .sort()
    .map((f) => loadSecretKey(join(dirname(keyFile), f), {}));
}

/**
 * The keys of a programme's key files, the one to seal with first: KEY.next while a rotation is
 * under way (everything is being re-sealed with it), then KEY, then the retired keys. KEY missing
 * beside KEY.next is a rotation of an older tranche stopped between its two renames.
 */
export function readKeyFiles(keyFile: string): SecretKey[] {
  const next = nextKeyFile(keyFile);
  const current = existsSync(keyFile) ? [loadSecretKey(keyFile, {})] : [];
  if (!existsSync(next) && current.length === 0) {
    throw new TrancheError(
      'usage',
      `no secret key: set TRANCHE_SECRET_KEY or create ${keyFile} (tranche init does)`,
    );
  }
  return [...(existsSync(next) ? [loadSecretKey(next, {})] : []), ...current, ...retiredKeys(keyFile)];
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return '-';
  }
}

/** The key files as a box's key source: re-read when KEY or KEY.next changes. */
export function keyFileSource(keyFile: string): KeySource {
  return {
    keys: () => readKeyFiles(keyFile),
    stamp: () => `${fileStamp(keyFile)}|${fileStamp(nextKeyFile(keyFile))}`,
  };
}
