import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, openSync, closeSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { TrancheError } from '../../errors/tranche-error.js';
import { type Environment, processEnvironment, readEnvironment } from '../../environment/environment.js';

/** The 32-byte key that encrypts secrets at rest, and its short id (recorded in every sealed value). */
export interface SecretKey {
  readonly bytes: Buffer;
  readonly id: string;
}

const KEY_BYTES = 32;

function fromText(text: string, where: string): SecretKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new TrancheError('usage', `${where}: a secret key is 32 bytes, as 64 hex digits or base64`);
  }
  return { bytes, id: createHash('sha256').update(bytes).digest('hex').slice(0, 8) };
}

/** A new random key. */
export function generateSecretKey(): SecretKey {
  return fromText(randomBytes(KEY_BYTES).toString('base64'), 'generated key');
}

/**
 * The key from TRANCHE_SECRET_KEY when set, else from the key file. A key file that the group or
 * others may read is refused, as ssh refuses such a private key.
 */
export function loadSecretKey(file: string, env: Environment = processEnvironment()): SecretKey {
  const fromEnv = readEnvironment('TRANCHE_SECRET_KEY', env);
  if (fromEnv) return fromText(fromEnv, 'TRANCHE_SECRET_KEY');
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new TrancheError(
      'usage',
      `no secret key: set TRANCHE_SECRET_KEY or create ${file} (tranche init does)`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new TrancheError(
      'usage',
      `secret key file ${file} may be read by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  return fromText(readFileSync(file, 'utf8'), file);
}

/** Writes a key file with mode 0600, atomically (a temporary file renamed over the target). */
export function writeSecretKey(file: string, key: SecretKey): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.bytes.toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}
