import type { Kysely } from 'kysely';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import { programmeNow } from '../report/programme-now.js';
import type { Database } from '../state/schema.js';
import { organisationFilter, type Scope } from './auth/scope.js';
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
  return {
    db,
    config,
    logger,
    cache: new FreshCache(maxAgeMs, Date.now, (view, error) =>
      logger.warn({ view, err: error }, 'refreshing a dashboard view failed; serving the last one'),
    ),
    now: () => programmeNow(db),
  };
}

/**
 * A view the dashboard shows for the whole programme or for some organisations: the whole-programme
 * one is kept in the cache under KEY (and computed as the server starts), a scoped one is live.
 */
export interface ProgrammeView<T> {
  key: string;
  compute(ctx: ServeContext, organisations: readonly string[] | undefined): Promise<T>;
}

/** The whole programme's VIEW from the cache (computed if it is not there yet), and when it was computed (ms). */
export function wholeView<T>(ctx: ServeContext, view: ProgrammeView<T>): Promise<{ value: T; at: number }> {
  return ctx.cache.get(view.key, () => view.compute(ctx, undefined));
}

/** VIEW as SCOPE may see it, with the moment it was computed (ISO): cached when whole-programme, live when scoped. */
export async function viewFor<T>(
  ctx: ServeContext,
  scope: Scope,
  view: ProgrammeView<T>,
): Promise<{ value: T; asOf: string }> {
  if (scope.organisations !== null) {
    const asOf = new Date().toISOString();
    return { value: await view.compute(ctx, organisationFilter(scope)), asOf };
  }
  const { value, at } = await wholeView(ctx, view);
  return { value, asOf: new Date(at).toISOString() };
}

/**
 * Computes the whole-programme VIEWS into the cache one after another, so that the first visitors
 * after a start do not wait for them (seconds each on a programme of millions), nor /metrics.
 * Returns the milliseconds each took.
 */
export async function warmViews(
  ctx: ServeContext,
  views: ProgrammeView<unknown>[],
): Promise<Record<string, number>> {
  const took: Record<string, number> = {};
  for (const view of views) {
    const started = performance.now();
    await wholeView(ctx, view);
    took[view.key] = Math.round(performance.now() - started);
  }
  return took;
}
