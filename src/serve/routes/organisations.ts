import type { MailboxState } from '../../state/mailbox/mailbox-states.js';
import type { FastifyInstance } from 'fastify';
import { MAILBOX_STATES } from '../../programme/lifecycle/mailbox-state.js';
import { mailboxPage } from '../../report/mailbox-page.js';
import {
  organisationSummary,
  organisationTable,
  requireOrganisation as requireKnown,
} from '../../report/organisation-summary.js';
import { apiScope } from '../auth/authenticate.js';
import { requireOrganisation } from '../auth/scope.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import {
  mailboxPage as pageSchema,
  organisationRow,
  organisationSummary as summarySchema,
} from '../schemas/report-schemas.js';
import { viewFor, type ProgrammeView, type ServeContext } from '../serve-context.js';
import { pageQuery, type PageQuery } from './paging.js';

const codeParams = { type: 'object', properties: { code: str }, required: ['code'] };

/** Every organisation's line: total, done, failed, next day (of the given organisations). */
export const organisationsView: ProgrammeView<Awaited<ReturnType<typeof organisationTable>>> = {
  key: 'organisations',
  compute: (ctx, organisations) => organisationTable(ctx.db, organisations),
};

/** GET /api/organisations, /api/organisations/:code and its mailboxes: an org-admin sees its own only (403 otherwise). */
export function organisationRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/organisations',
    {
      schema: {
        summary: 'Every organisation the caller may see: total, done, failed, next day',
        tags: ['organisations'],
        response: replies(obj({ asOf: str, organisations: arr(organisationRow) })),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'organisations');
      const { value, asOf } = await viewFor(ctx, scope, organisationsView);
      return { asOf, organisations: value };
    },
  );

  app.get<{ Params: { code: string } }>(
    '/api/organisations/:code',
    {
      schema: {
        summary: 'One organisation: its figures, failures and days',
        tags: ['organisations'],
        params: codeParams,
        response: replies(summarySchema),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'organisations');
      requireOrganisation(scope, request.params.code);
      return organisationSummary(ctx.db, ctx.config, request.params.code, await ctx.now());
    },
  );

  app.get<{ Params: { code: string }; Querystring: PageQuery & { state?: MailboxState } }>(
    '/api/organisations/:code/mailboxes',
    {
      schema: {
        summary: "One organisation's mailboxes, a page at a time",
        tags: ['organisations'],
        params: codeParams,
        querystring: {
          ...pageQuery,
          properties: { ...pageQuery.properties, state: { type: 'string', enum: MAILBOX_STATES } },
        },
        response: replies(pageSchema),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'organisations');
      const { code } = request.params;
      requireOrganisation(scope, code);
      await requireKnown(ctx.db, code);
      const { state, after, limit } = request.query;
      return mailboxPage(ctx.db, { organisation: code, state }, { after, limit });
    },
  );
}
