import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scopeOfRequest } from '../auth/authenticate.js';
import { areasOf, type Area } from '../auth/role.js';
import { maySee, noSuchMailbox, requireArea, requireOrganisation, type Scope } from '../auth/scope.js';
import { DASHBOARD_SCRIPT } from '../dashboard/dashboard-script.js';
import { DASHBOARD_STYLE } from '../dashboard/dashboard-style.js';
import { shellPage } from '../dashboard/html-pages.js';
import { HttpRefusal } from '../http-refusal.js';
import type { ServeContext } from '../serve-context.js';

type Params = Record<string, string>;

/** A dashboard page: its path, the area it belongs to, and any check of what it names. */
interface PageRoute {
  path: string;
  area: Area;
  check?: (ctx: ServeContext, scope: Scope, params: Params) => Promise<void>;
}

function organisationPage(_ctx: ServeContext, scope: Scope, params: Params): Promise<void> {
  requireOrganisation(scope, params.code ?? '');
  return Promise.resolve();
}

async function mailboxPage(ctx: ServeContext, scope: Scope, params: Params): Promise<void> {
  const address = (params.address ?? '').trim().toLowerCase();
  const row = await ctx.db
    .selectFrom('mailbox')
    .select('organisation')
    .where('address', '=', address)
    .executeTakeFirst();
  if (!row || !maySee(scope, row.organisation)) throw noSuchMailbox(address);
}

const PAGES: PageRoute[] = [
  { path: '/', area: 'overview' },
  { path: '/calendar', area: 'calendar' },
  { path: '/calendar/:day', area: 'calendar' },
  { path: '/organisations', area: 'organisations' },
  { path: '/organisations/:code', area: 'organisations', check: organisationPage },
  { path: '/failures', area: 'failures' },
  { path: '/failures/:type', area: 'failures' },
  { path: '/lookup', area: 'lookup' },
  { path: '/mailboxes/:address', area: 'lookup', check: mailboxPage },
];

/**
 * The dashboard's pages. Each is checked here, on the server, as its API is: no session sends the
 * browser to the login form, a page the token may not see is a 403 page (an org-admin asking for
 * another organisation, or its mailbox), so no page is ever shown empty instead of refused.
 */
export function pageRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const hide = { schema: { hide: true } };
  for (const route of PAGES)
    app.get<{ Params: Params }>(
      route.path,
      hide,
      async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
        const scope = await scopeOfRequest(ctx.db, request, new Date());
        if (!scope) throw new HttpRefusal(401, 'log in first');
        if (
          route.path === '/' &&
          !areasOf(scope.role).includes('overview') &&
          areasOf(scope.role).includes('lookup')
        )
          return reply.redirect('/lookup', 303);
        requireArea(scope, route.area);
        await route.check?.(ctx, scope, request.params);
        return reply.type('text/html; charset=utf-8').send(shellPage());
      },
    );
  app.get('/assets/dashboard.js', hide, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(DASHBOARD_SCRIPT),
  );
  app.get('/assets/dashboard.css', hide, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(DASHBOARD_STYLE),
  );
}
