import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config.js';
import { programmeNow } from '../programme/report/programme-now.js';
import type { Database } from '../state/schema.js';
import type { Scope } from './auth/scope.js';
import { FreshCache } from './fresh-cache.js';

/** What every route reads: the programme's store and configuration, the view cache, the clock. */
export interface ServeContext {
  db: Kysely<Database>;
  config: ProgrammeConfig;
  logger: Logger;
  cache: FreshCache;
  /** "Now" on the programme clock (see programmeNow). */
  now(): Promise<Date>;
}

/** The context for a programme's store; whole-programme views are kept up to MAX_AGE_MS. */
export function serveContext(
  db: Kysely<Database>,
  config: ProgrammeConfig,
  logger: Logger,
  maxAgeMs: number,
): ServeContext {
  return { db, config, logger, cache: new FreshCache(maxAgeMs), now: () => programmeNow(db) };
}

/** A view's data with the moment it was computed (ISO): cached when whole-programme, live when scoped. */
export async function scopedView<T>(
  ctx: ServeContext,
  scope: Scope,
  key: string,
  compute: () => Promise<T>,
): Promise<{ value: T; asOf: string }> {
  if (scope.organisations !== null) {
    const at = new Date().toISOString();
    return { value: await compute(), asOf: at };
  }
  const { value, at } = await ctx.cache.get(key, compute);
  return { value, asOf: new Date(at).toISOString() };
}
