import type { FastifyInstance, FastifyRequest } from 'fastify';
import { includeMailboxes, releaseMailboxes } from '../../programme/operations/bring-back.js';
import { pauseEndpoint, resumeEndpoint } from '../../programme/operations/endpoint-pause.js';
import { excludeMailboxes, holdMailboxes } from '../../programme/operations/hold-mailboxes.js';
import { moveMailboxes } from '../../programme/operations/move-mailboxes.js';
import type { OperationInput, OperationResult } from '../../programme/operations/operation.js';
import { OperationRefused } from '../../programme/operations/refusal.js';
import { retryMailboxes } from '../../programme/operations/retry-mailboxes.js';
import { auditTrail, changeText } from '../../programme/operations/audit-trail.js';
import { scopeOfRequest } from '../auth/authenticate.js';
import { DEFAULT_RIGHTS, type OperationAction } from '../auth/operation-roles.js';
import { requireSameOrigin } from '../auth/same-origin.js';
import type { Scope } from '../auth/scope.js';
import { csvLine } from '../../csv/csv-line.js';
import { forbidden, HttpRefusal } from '../http-refusal.js';
import type { ServeContext } from '../serve-context.js';

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

/** The fields of an action's form or JSON body. */
interface ActionBody {
  addresses: string[];
  to?: string;
  reason?: string;
  /** Without it the answer says what would happen and changes nothing (the confirmation step). */
  confirm: boolean;
  force: boolean;
  now: boolean;
}

function bodyOf(request: FastifyRequest): ActionBody {
  const raw = request.body;
  const get = (name: string): string | undefined =>
    raw instanceof URLSearchParams
      ? (raw.get(name) ?? undefined)
      : ((raw as Record<string, unknown> | undefined)?.[name] as string | undefined);
  const list =
    raw instanceof URLSearchParams
      ? raw.getAll('address')
      : (((raw as { addresses?: unknown } | undefined)?.addresses as string[] | undefined) ?? []);
  const flag = (name: string): boolean => {
    const v: unknown =
      raw instanceof URLSearchParams ? raw.get(name) : (raw as Record<string, unknown> | undefined)?.[name];
    return v === true || v === 'true' || v === 'on' || v === 'yes';
  };
  return {
    addresses: list.flatMap((a) => a.split(/[\s,;]+/)).filter(Boolean),
    to: get('to'),
    reason: get('reason'),
    confirm: flag('confirm'),
    force: flag('force'),
    now: flag('now'),
  };
}

/** The caller's scope, refused (401/403) unless its role may take ACTION (on N mailboxes). */
async function actionScope(
  ctx: ServeContext,
  request: FastifyRequest,
  action: OperationAction,
  n: number,
): Promise<Scope> {
  requireSameOrigin(request);
  const scope = await scopeOfRequest(ctx.db, request, new Date());
  if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
  const rights = ctx.config.operations?.roles?.[scope.role] ?? DEFAULT_RIGHTS[scope.role];
  if (!(rights.actions as readonly string[]).includes(action))
    throw forbidden(`a ${scope.role} token cannot ${action}`);
  if (rights.oneMailbox && n > 1) throw forbidden(`a ${scope.role} token acts on one mailbox at a time`);
  return scope;
}

/** Runs an operation for SCOPE; a refusal is a 400 (403 when outside its organisations), all or nothing. */
async function operate(
  ctx: ServeContext,
  scope: Scope,
  body: ActionBody,
  work: (input: OperationInput) => Promise<OperationResult>,
): Promise<OperationResult> {
  const input: OperationInput = {
    db: ctx.db,
    config: ctx.config,
    actor: `${scope.tokenName} (${scope.role})`,
    reason: body.reason,
    dryRun: !body.confirm,
    force: body.force,
    now: await ctx.now(),
    ...(scope.organisations === null ? {} : { organisations: scope.organisations }),
  };
  try {
    return await work(input);
  } catch (error) {
    if (error instanceof OperationRefused) throw new HttpRefusal(error.forbidden ? 403 : 400, error.message);
    throw error;
  }
}

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
    if (action !== 'move' && !(action in MAILBOX_ACTIONS)) throw new HttpRefusal(404, `no action ${action}`);
    const scope = await actionScope(ctx, request, action, body.addresses.length);
    if (action === 'move') {
      if (!body.to) throw new HttpRefusal(400, 'to: the day is needed (YYYY-MM-DD)');
      return operate(ctx, scope, body, (input) => moveMailboxes(input, body.addresses, body.to!));
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
      const scope = await actionScope(ctx, request, action, 0);
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
    const limit = Math.min(10_000, Math.max(1, Number(request.query.limit ?? 1000) || 1000));
    return auditTrail(ctx.db, {
      subject: request.query.mailbox,
      organisation: request.query.org,
      since: request.query.since,
      limit,
      ...(scope.organisations === null ? {} : { organisations: scope.organisations }),
    });
  };
  app.get<{ Querystring: AuditQuery }>('/api/audit', hide, async (request) => ({
    audit: await trail(request),
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
