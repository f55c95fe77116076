import { createHash, randomBytes } from 'node:crypto';

/** Tokens start with this, so a leaked one is recognised in logs and by secret scanners. */
const TOKEN_PREFIX = 'tranche_';

/**
 * A new API token: 32 random bytes (256 bits), base64url. With that much entropy a plain SHA-256
 * is enough to store it (no salt or slow hash needed: nothing to guess or tabulate).
 */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A new dashboard session id (the cookie's value): as random as a token. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** A short public id for a token (what `tranche token list` and `revoke` use). */
export function newTokenId(): string {
  return `tk${randomBytes(5).toString('hex')}`;
}

/** The stored form of a token or session id: SHA-256, hex. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
