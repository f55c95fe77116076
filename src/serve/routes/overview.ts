import type { FastifyInstance } from 'fastify';
import { dayOf } from '../../programme/lifecycle/step-times.js';
import { dailyThroughput } from '../../programme/report/daily-throughput.js';
import { dayCalendar } from '../../programme/report/day-calendar.js';
import { programmeSummary } from '../../programme/report/programme-summary.js';
import { apiScope } from '../auth/authenticate.js';
import { organisationFilter } from '../auth/scope.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import {
  calendarDay,
  dailyThroughput as dailySchema,
  programmeSummary as summarySchema,
} from '../schemas/report-schemas.js';
import { scopedView, type ServeContext } from '../serve-context.js';

/** Days of the throughput chart, and of upcoming batches shown. */
const CHART_DAYS = 30;
const UPCOMING_DAYS = 10;

/** GET /api/overview: mailboxes by state, success rate, failures, throughput (and its chart), ETA, today's and upcoming batches. */
/** The cache key of the whole programme's overview. */
const OVERVIEW = 'overview';

/** The overview's figures: the summary, 30 days of throughput, the next batch days (of FILTER's organisations). */
async function overviewOf(ctx: ServeContext, filter: readonly string[] | undefined) {
  const now = await ctx.now();
  const today = dayOf(now);
  const [summary, daily, days] = await Promise.all([
    programmeSummary(ctx.db, ctx.config, now, filter),
    dailyThroughput(ctx.db, now, CHART_DAYS, filter),
    dayCalendar(ctx.db, ctx.config.schedule, { organisation: filter }),
  ]);
  return { summary, daily, upcoming: days.filter((d) => d.day >= today).slice(0, UPCOMING_DAYS) };
}

/**
 * Computes the whole programme's overview into the cache, so that the first admin to open the
 * dashboard after a start does not wait for it (seconds on a programme of millions).
 */
export async function warmOverview(ctx: ServeContext): Promise<void> {
  await ctx.cache.get(OVERVIEW, () => overviewOf(ctx, undefined));
}

export function overviewRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/overview',
    {
      schema: {
        summary: 'The programme (or the caller’s organisations) at a glance',
        tags: ['overview'],
        response: replies(
          obj({
            asOf: str,
            summary: summarySchema,
            daily: arr(dailySchema),
            upcoming: arr(calendarDay),
          }),
        ),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'overview');
      const filter = organisationFilter(scope);
      const { value, asOf } = await scopedView(ctx, scope, OVERVIEW, () => overviewOf(ctx, filter));
      return { asOf, ...value };
    },
  );
}
