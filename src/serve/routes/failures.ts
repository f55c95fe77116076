import type { FastifyInstance } from 'fastify';
import { failureGroups } from '../../report/failure-groups.js';
import { skippedGroups } from '../../report/skipped-groups.js';
import { mailboxPage } from '../../report/mailbox-page.js';
import { apiScope } from '../auth/authenticate.js';
import { organisationFilter } from '../auth/scope.js';
import { arr, obj, replies, str } from '../schemas/json-schema.js';
import { failureGroup, mailboxPage as pageSchema, skippedGroup } from '../schemas/report-schemas.js';
import { type ServeContext } from '../serve-context.js';
import { pageQuery, type PageQuery } from './paging.js';

/** GET /api/failures (grouped by type and reason) and /api/failures/:type (its mailboxes, paged). */
export function failureRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/failures',
    {
      schema: {
        summary: 'Failed mailboxes grouped by type, and skipped items by kind, with the commonest reasons',
        tags: ['failures'],
        response: replies(obj({ failures: arr(failureGroup), skipped: arr(skippedGroup) })),
      },
    },
    // Live, not cached: failed mailboxes are read through their own partial index.
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'failures');
      const organisation = organisationFilter(scope);
      const [failures, skipped] = await Promise.all([
        failureGroups(ctx.db, organisation),
        skippedGroups(ctx.db, organisation),
      ]);
      return { failures, skipped };
    },
  );

  app.get<{ Params: { type: string }; Querystring: PageQuery }>(
    '/api/failures/:type',
    {
      schema: {
        summary: "The failed mailboxes of one type ('unknown': none recorded), a page at a time",
        tags: ['failures'],
        params: { type: 'object', properties: { type: str }, required: ['type'] },
        querystring: pageQuery,
        response: replies(pageSchema),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'failures');
      return mailboxPage(
        ctx.db,
        { organisation: organisationFilter(scope), failureType: request.params.type },
        request.query,
      );
    },
  );
}
