import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { failureLabel } from '../../programme/lifecycle/failure-labels.js';
import { mailboxPage, type MailboxListFilter } from '../../report/mailbox-page.js';
import { requireOrganisation as requireKnown } from '../../report/organisation-summary.js';
import { apiScope } from '../auth/authenticate.js';
import { organisationFilter, requireOrganisation } from '../auth/scope.js';
import { csvLine } from '../../csv/csv-line.js';
import { str } from '../schemas/json-schema.js';
import type { ServeContext } from '../serve-context.js';
import { dayParam } from './calendar.js';

/** Mailboxes read per query while an export streams. */
const EXPORT_PAGE = 1000;
const HEADER = [
  'address',
  'organisation',
  'state',
  'batch_day',
  'next_step',
  'next_due_at',
  'failure_type',
  'failure',
  'failure_reason',
  'size_bytes',
  'copied_bytes',
];

/** Every mailbox matching FILTER as CSV lines, read a page at a time (keyset), so memory stays flat. */
async function* csvRows(ctx: ServeContext, filter: MailboxListFilter): AsyncGenerator<string> {
  yield csvLine(HEADER);
  let after: string | undefined;
  for (;;) {
    const page = await mailboxPage(ctx.db, filter, { after, limit: EXPORT_PAGE });
    for (const m of page.mailboxes)
      yield csvLine([
        m.address,
        m.organisation,
        m.state,
        m.batchDay,
        m.nextStep,
        m.nextDueAt,
        m.failureType,
        m.failureType === null && m.state !== 'failed' ? null : failureLabel(m.failureType ?? 'unknown'),
        m.failureReason,
        m.sizeBytes,
        m.copiedBytes,
      ]);
    if (!page.more) return;
    after = page.mailboxes.at(-1)!.address;
  }
}

function sendCsv(
  reply: FastifyReply,
  ctx: ServeContext,
  name: string,
  filter: MailboxListFilter,
): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`)
    .send(Readable.from(csvRows(ctx, filter)));
}

const csvReply = { 200: { description: 'CSV: one line per mailbox', type: 'string' } };

/** CSV exports of an organisation's, a day's and the failed mailboxes, restricted to the caller's organisations. */
export function exportRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get<{ Params: { code: string } }>(
    '/api/exports/organisations/:code.csv',
    {
      schema: {
        summary: "An organisation's mailboxes",
        tags: ['exports'],
        params: { type: 'object', properties: { code: str }, required: ['code'] },
        produces: ['text/csv'],
        response: csvReply,
      },
    },
    async (request, reply) => {
      const scope = await apiScope(ctx.db, request, 'exports');
      const { code } = request.params;
      requireOrganisation(scope, code);
      await requireKnown(ctx.db, code);
      return sendCsv(reply, ctx, `organisation-${code}.csv`, { organisation: code });
    },
  );

  app.get<{ Params: { day: string } }>(
    '/api/exports/days/:day.csv',
    {
      schema: {
        summary: "A day's mailboxes",
        tags: ['exports'],
        params: { type: 'object', properties: { day: dayParam }, required: ['day'] },
        produces: ['text/csv'],
        response: csvReply,
      },
    },
    async (request, reply) => {
      const scope = await apiScope(ctx.db, request, 'exports');
      const { day } = request.params;
      return sendCsv(reply, ctx, `day-${day}.csv`, { day, organisation: organisationFilter(scope) });
    },
  );

  app.get(
    '/api/exports/failures.csv',
    {
      schema: {
        summary: 'Every failed mailbox',
        tags: ['exports'],
        produces: ['text/csv'],
        response: csvReply,
      },
    },
    async (request, reply) => {
      const scope = await apiScope(ctx.db, request, 'exports');
      return sendCsv(reply, ctx, 'failures.csv', {
        state: 'failed',
        organisation: organisationFilter(scope),
      });
    },
  );
}
