import type { FastifyInstance, FastifyRequest } from 'fastify';
import { includeMailboxes, releaseMailboxes } from '../../programme/operations/bring-back.js';
import { pauseEndpoint, resumeEndpoint } from '../../programme/operations/endpoint-pause.js';
import { excludeMailboxes, holdMailboxes } from '../../programme/operations/hold-mailboxes.js';
import { moveMailboxes } from '../../programme/operations/move-mailboxes.js';
import { retryMailboxes } from '../../programme/operations/retry-mailboxes.js';
import { auditTrail, changeText } from '../../programme/operations/audit-trail.js';
import { scopeOfRequest } from '../auth/authenticate.js';
import type { OperationAction } from '../auth/operation-roles.js';
import { csvLine } from '../../csv/csv-line.js';
import { forbidden, HttpRefusal } from '../http-refusal.js';
import type { ServeContext } from '../serve-context.js';
import { actionScope, bodyOf, operate, targetDay } from './operation-request.js';

/** The audit trail's query: one mailbox, one organisation, from a moment, at most LIMIT entries. */
interface AuditQuery {
  mailbox?: string;
  org?: string;
  since?: string;
  limit?: string;
}

const MAILBOX_ACTIONS = {
  retry: retryMailboxes,
  hold: holdMailboxes,
  release: releaseMailboxes,
  exclude: excludeMailboxes,
  include: includeMailboxes,
} as const;

/**
 * POST /api/mailboxes/:action (retry, move, hold, release, exclude, include) and
 * /api/endpoints/:name/:action (pause, resume): the day-to-day actions, by role, same-origin only;
 * without `confirm` the answer is what would happen. GET /api/audit (JSON) and /api/audit.csv.
 */
export function operationRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const hide = { schema: { hide: true } };
  app.post<{ Params: { action: string } }>('/api/mailboxes/:action', hide, async (request) => {
    const action = request.params.action as OperationAction;
    const body = bodyOf(request);
    if (action !== 'move' && !Object.hasOwn(MAILBOX_ACTIONS, action))
      throw new HttpRefusal(404, `no action ${action}`);
    const scope = await actionScope(ctx, request, action, { mailboxes: body.addresses.length }, body);
    if (action === 'move') {
      const day = targetDay(body);
      return operate(ctx, scope, body, (input) => moveMailboxes(input, body.addresses, day));
    }
    const work = MAILBOX_ACTIONS[action as keyof typeof MAILBOX_ACTIONS];
    return operate(ctx, scope, body, (input) => work(input, body.addresses));
  });

  app.post<{ Params: { name: string; action: string } }>(
    '/api/endpoints/:name/:action',
    hide,
    async (request) => {
      const { name, action } = request.params;
      if (action !== 'pause' && action !== 'resume') throw new HttpRefusal(404, `no action ${action}`);
      const body = bodyOf(request);
      const scope = await actionScope(ctx, request, action, 'programme', body);
      return operate(ctx, scope, body, (input) =>
        action === 'pause' ? pauseEndpoint(input, name, body.now) : resumeEndpoint(input, name),
      );
    },
  );

  const trail = async (
    request: FastifyRequest<{
      Querystring: { mailbox?: string; org?: string; since?: string; limit?: string };
    }>,
  ) => {
    const scope = await scopeOfRequest(ctx.db, request, new Date());
    if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
    if (scope.role === 'metrics') throw forbidden('a metrics token cannot read the audit trail');
    // The helpdesk reads one mailbox's trail (the lookup's); an org-admin its organisations'.
    if (scope.role === 'helpdesk' && !request.query.mailbox)
      throw forbidden("a helpdesk token reads one mailbox's trail");
    // An organisation outside the caller's is refused, not answered with an empty trail.
    const org = request.query.org;
    if (org !== undefined && scope.organisations !== null && !scope.organisations.includes(org))
      throw forbidden(`this token cannot read organisation ${org}'s audit trail`);
    const limit = Math.min(10_000, Math.max(1, Number(request.query.limit ?? 1000) || 1000));
    return auditTrail(ctx.db, {
      subject: request.query.mailbox,
      organisation: request.query.org,
      since: request.query.since,
      limit,
      ...(scope.organisations === null ? {} : { organisations: scope.organisations }),
    });
  };
  // Each entry with its change in words (before → after), as the CSV and the terminal say it.
  app.get<{ Querystring: AuditQuery }>('/api/audit', hide, async (request) => ({
    audit: (await trail(request)).map((r) => ({ ...r, change: changeText(r) })),
  }));
  app.get<{ Querystring: AuditQuery }>('/api/audit.csv', hide, async (request, reply) => {
    const rows = await trail(request);
    const lines = [
      csvLine(['at', 'actor', 'action', 'subject', 'organisation', 'reason', 'change']),
      ...rows.map((r) =>
        csvLine([r.at, r.actor, r.action, r.subject, r.organisation, r.reason, changeText(r)]),
      ),
    ];
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit.csv"')
      .send(`${lines.join('')}`);
  });
}
