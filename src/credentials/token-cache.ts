import { TrancheError } from '../errors/tranche-error.js';
import { jwtExpiry } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** A token renewed this long before it expires, at most (a short-lived one at half its life). */
const REFRESH_AHEAD_MS = 5 * 60_000;
/** A token that says nothing of its life is trusted this long; a refusal before then fetches anew. */
const UNKNOWN_LIFETIME_MS = 5 * 60_000;
/** A refusal (wrong secret, failing command) is remembered this long, so a thousand mailboxes ask once. */
const REFUSAL_MEMORY_MS = 30_000;

interface Entry {
  token: AccessToken;
  /** When to fetch a new one rather than hand this out. */
  renewAt: number;
}

/** Token fetches and cache hits, for the benchmark and the log. */
export interface TokenCacheStats {
  fetches: number;
  hits: number;
}

/**
 * Tokens per (source, user) — one per source when its tokens are not per user — renewed before
 * they expire, one fetch at a time per key. Shared by everything in a process that logs in, so
 * discover and the runner never fetch a token per connection.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<AccessToken>>();
  readonly #refusals = new Map<string, { error: TrancheError; until: number }>();
  readonly #now: () => number;
  readonly stats: TokenCacheStats = { fetches: 0, hits: 0 };

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * A live token for the user: the cached one while it has time left, else a fresh one. `fresh`
   * skips the cache (the server refused what it held). Says whether the token came from the cache.
   */
  async token(
    source: TokenSource,
    user: string,
    fresh = false,
  ): Promise<{ token: AccessToken; cached: boolean }> {
    const key = source.perUser ? `${source.id}\u0000${user}` : source.id;
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (!fresh && entry && now < entry.renewAt) {
      this.stats.hits++;
      return { token: entry.token, cached: true };
    }
    const refusal = this.#refusals.get(key);
    if (refusal && now < refusal.until) throw refusal.error;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#fetch(key, source, user);
      this.#pending.set(key, pending);
      pending.then(
        () => this.#pending.delete(key),
        () => this.#pending.delete(key),
      );
    }
    return { token: await pending, cached: false };
  }

  async #fetch(key: string, source: TokenSource, user: string): Promise<AccessToken> {
    this.stats.fetches++;
    const fetchedAt = this.#now();
    let token: AccessToken;
    try {
      token = await source.fetch(user);
    } catch (error) {
      if (error instanceof TrancheError && !error.retryable) {
        this.#refusals.set(key, { error, until: fetchedAt + REFUSAL_MEMORY_MS });
      }
      this.#entries.delete(key);
      throw error;
    }
    this.#refusals.delete(key);
    const expiresAt = token.expiresAt ?? jwtExpiry(token.value) ?? fetchedAt + UNKNOWN_LIFETIME_MS;
    const life = Math.max(0, expiresAt - fetchedAt);
    this.#entries.set(key, { token, renewAt: expiresAt - Math.min(REFRESH_AHEAD_MS, life / 2) });
    return token;
  }

  /** Forgets every token and refusal (a source's secret changed). */
  clear(): void {
    this.#entries.clear();
    this.#refusals.clear();
  }
}

/** The cache of this process: discover, the runner and sync all take tokens from it. */
export const processTokenCache = new TokenCache();
