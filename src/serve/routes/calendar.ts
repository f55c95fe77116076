import type { MailboxState } from '../../state/mailbox/mailbox-states.js';
import type { FastifyInstance } from 'fastify';
import { MAILBOX_STATES } from '../../programme/lifecycle/mailbox-state.js';
import { dayCalendar, type CalendarDay } from '../../report/day-calendar.js';
import { dayMailboxes } from '../../report/day-mailboxes.js';
import { apiScope } from '../auth/authenticate.js';
import { organisationFilter } from '../auth/scope.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import { calendarDay, mailboxLine } from '../schemas/report-schemas.js';
import { viewFor, type ProgrammeView, type ServeContext } from '../serve-context.js';
import { pageQuery, type PageQuery } from './paging.js';

/** An ISO day in a path. */
export const dayParam = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

/** Every day of the calendar against its capacity (of the given organisations). */
export const calendarView: ProgrammeView<CalendarDay[]> = {
  key: 'calendar',
  compute: (ctx, organisation) => dayCalendar(ctx.db, ctx.config.schedule, { organisation }),
};

/** GET /api/calendar (every day against its capacity) and /api/calendar/:day (its line and mailboxes). */
export function calendarRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/calendar',
    {
      schema: {
        summary: 'Per day: capacity, planned, done, failed, in progress',
        tags: ['calendar'],
        response: replies(obj({ asOf: str, days: arr(calendarDay) })),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'calendar');
      const { value, asOf } = await viewFor(ctx, scope, calendarView);
      return { asOf, days: value };
    },
  );

  app.get<{ Params: { day: string }; Querystring: PageQuery & { state?: MailboxState } }>(
    '/api/calendar/:day',
    {
      schema: {
        summary: 'One day: its line and its mailboxes, a page at a time',
        tags: ['calendar'],
        params: { type: 'object', properties: { day: dayParam }, required: ['day'] },
        querystring: {
          ...pageQuery,
          properties: { ...pageQuery.properties, state: { type: 'string', enum: MAILBOX_STATES } },
        },
        response: replies(obj({ day: calendarDay, mailboxes: arr(mailboxLine), more: { type: 'boolean' } })),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'calendar');
      const organisation = organisationFilter(scope);
      const { day } = request.params;
      const [line, page] = await Promise.all([
        dayCalendar(ctx.db, ctx.config.schedule, { organisation, day }),
        dayMailboxes(ctx.db, day, { organisation, ...request.query }),
      ]);
      return { day: line[0]!, ...page };
    },
  );
}
