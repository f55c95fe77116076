import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TrancheError } from '../../errors/tranche-error.js';
import type { SecretKey } from './secret-key.js';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Seals and opens secrets (passwords, client secrets) for storage: AES-256-GCM, a fresh IV per
 * value, the key's id in the envelope so a value sealed with another key is named as such.
 * Envelope: `v1:<key id>:<base64 iv|tag|ciphertext>`. What it seals never appears in its errors.
 * It seals with the first key and opens with any it holds (a key rotation under way has two).
 */
export class SecretBox {
  readonly #key: SecretKey;
  readonly #keys: Map<string, SecretKey>;

  constructor(key: SecretKey, ...older: SecretKey[]) {
    this.#key = key;
    this.#keys = new Map([key, ...older].map((k) => [k.id, k]));
  }

  /** The id of the key in use. */
  get keyId(): string {
    return this.#key.id;
  }

  seal(secret: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key.bytes, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    return `${VERSION}:${this.#key.id}:${packed}`;
  }

  open(sealed: string): string {
    const [version, keyId, packed] = sealed.split(':');
    if (version !== VERSION || !keyId || packed === undefined) {
      throw new TrancheError('state', 'a stored secret is not in a format this version of tranche reads');
    }
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new TrancheError(
        'state',
        `a stored secret was sealed with key ${keyId}, but the key in use is ${this.#key.id} (wrong TRANCHE_SECRET_KEY or key file?)`,
      );
    }
    const bytes = Buffer.from(packed, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + 16));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + 16)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new TrancheError(
        'state',
        `a stored secret (key ${keyId}) failed its integrity check: it was altered`,
      );
    }
  }
}
