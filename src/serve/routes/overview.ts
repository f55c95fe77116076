import type { FastifyInstance } from 'fastify';
import { dayOf } from '../../programme/calendar/calendar-day.js';
import { dailyThroughput } from '../../report/daily-throughput.js';
import { dayCalendar } from '../../report/day-calendar.js';
import { programmeSummary } from '../../report/programme-summary.js';
import { soakStatus } from '../../soak/soak-status.js';
import { apiScope } from '../auth/authenticate.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import {
  calendarDay,
  dailyThroughput as dailySchema,
  programmeSummary as summarySchema,
  soakStatusSchema,
} from '../schemas/report-schemas.js';
import { viewFor, type ProgrammeView, type ServeContext } from '../serve-context.js';

/** Days of the throughput chart, and of upcoming batches shown. */
const CHART_DAYS = 30;
const UPCOMING_DAYS = 10;

/** The overview: the summary, 30 days of throughput, the next batch days (of the given organisations). */
export const overviewView: ProgrammeView<Awaited<ReturnType<typeof overviewOf>>> = {
  key: 'overview',
  compute: overviewOf,
};

async function overviewOf(ctx: ServeContext, filter: readonly string[] | undefined) {
  const now = await ctx.now();
  const today = dayOf(now);
  const [summary, daily, days, soak] = await Promise.all([
    programmeSummary(ctx.db, ctx.config, now, filter),
    dailyThroughput(ctx.db, now, CHART_DAYS, filter),
    dayCalendar(ctx.db, ctx.config.schedule, { organisation: filter }),
    soakStatus(ctx.db, ctx.config),
  ]);
  return { summary, daily, upcoming: days.filter((d) => d.day >= today).slice(0, UPCOMING_DAYS), soak };
}

/** GET /api/overview: mailboxes by state, success rate, failures, throughput (and its chart), ETA, today's and upcoming batches, the soak gate. */
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
            soak: soakStatusSchema,
          }),
        ),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'overview');
      const { value, asOf } = await viewFor(ctx, scope, overviewView);
      return { asOf, ...value };
    },
  );
}
