import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TrancheError } from '../../errors/tranche-error.js';
import type { SecretKey } from './secret-key.js';

/**
 * Where a box finds its keys again (the key files, re-read): a running process picks up a rotation
 * made by another. `keys()` gives the key to seal with first; `stamp()` changes when they may have.
 */
export interface KeySource {
  keys(): SecretKey[];
  stamp(): string;
}

/** How often at most a box with a key source looks at it before sealing (a stat of the key files). */
const RECHECK_MS = 1000;

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Seals and opens secrets (passwords, client secrets) for storage: AES-256-GCM, a fresh IV per
 * value, the key's id in the envelope so a value sealed with another key is named as such.
 * Envelope: `v1:<key id>:<base64 iv|tag|ciphertext>`. What it seals never appears in its errors.
 * It seals with the first key and opens with any it holds (a key rotation under way has two).
 */
export class SecretBox {
  #key: SecretKey;
  readonly #keys: Map<string, SecretKey>;
  #source: KeySource | undefined;
  #stamp = '';
  #checkedAt = 0;

  constructor(key: SecretKey, ...older: SecretKey[]) {
    this.#key = key;
    this.#keys = new Map([key, ...older].map((k) => [k.id, k]));
  }

  /**
   * A box over key files that another process may rotate: it seals with the source's first key
   * (looked at again at most once a second) and, meeting a value sealed with a key it lacks, reads
   * the source again before giving up. Keys it held stay held: during a rotation both open.
   */
  static following(source: KeySource): SecretBox {
    const [key, ...older] = source.keys();
    if (!key) throw new TrancheError('usage', 'no secret key');
    const box = new SecretBox(key, ...older);
    box.#source = source;
    box.#stamp = source.stamp();
    box.#checkedAt = Date.now();
    return box;
  }

  #reload(): void {
    const source = this.#source!;
    this.#stamp = source.stamp();
    this.#checkedAt = Date.now();
    const [key, ...older] = source.keys();
    if (!key) return;
    for (const k of [key, ...older]) this.#keys.set(k.id, k);
    this.#key = key;
  }

  /** The id of the key in use. */
  get keyId(): string {
    return this.#key.id;
  }

  seal(secret: string): string {
    if (this.#source && Date.now() - this.#checkedAt >= RECHECK_MS) {
      this.#checkedAt = Date.now();
      if (this.#source.stamp() !== this.#stamp) this.#reload();
    }
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
    if (!this.#keys.has(keyId) && this.#source) this.#reload();
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
