import type { FastifyRequest } from 'fastify';
import type { OperationInput, OperationResult } from '../../programme/operations/operation.js';
import { OperationRefused } from '../../programme/operations/refusal.js';
import { scopeOfRequest } from '../auth/authenticate.js';
import { mayForce, rightsOf, type OperationAction } from '../auth/operation-roles.js';
import { requireSameOrigin } from '../auth/same-origin.js';
import type { Scope } from '../auth/scope.js';
import { forbidden, HttpRefusal } from '../http-refusal.js';
import type { ServeContext } from '../serve-context.js';

/** The fields of an action's form or JSON body. */
export interface ActionBody {
  addresses: string[];
  to?: string;
  reason?: string;
  /** A day's capacity (`capacity`): mailboxes, and bytes if given. */
  mailboxes?: string;
  bytes?: string;
  /** Without it the answer says what would happen and changes nothing (the confirmation step). */
  confirm: boolean;
  force: boolean;
  now: boolean;
}

/** The action's fields, from a form (URLSearchParams) or a JSON object. */
export function bodyOf(request: FastifyRequest): ActionBody {
  const raw = request.body;
  const json = (raw instanceof URLSearchParams ? {} : (raw ?? {})) as Record<string, unknown>;
  const value = (name: string): unknown => (raw instanceof URLSearchParams ? raw.get(name) : json[name]);
  const get = (name: string): string | undefined => {
    const v = value(name);
    // Strings from a form; strings or numbers from JSON (anything else is not a field's value).
    return typeof v === 'string' ? v || undefined : typeof v === 'number' ? String(v) : undefined;
  };
  const list = raw instanceof URLSearchParams ? raw.getAll('address') : json.addresses;
  const flag = (name: string): boolean => {
    const v = value(name);
    return v === true || v === 'true' || v === 'on' || v === 'yes';
  };
  return {
    addresses: (Array.isArray(list) ? list : [])
      .flatMap((a) => (typeof a === 'string' ? a.split(/[\s,;]+/) : []))
      .filter(Boolean),
    to: get('to'),
    reason: get('reason'),
    mailboxes: get('mailboxes'),
    bytes: get('bytes'),
    confirm: flag('confirm'),
    force: flag('force'),
    now: flag('now'),
  };
}

/** How far an action reaches: some mailboxes (N of them), a whole organisation, or no mailbox at all. */
export type ActionReach = { mailboxes: number } | 'organisation' | 'programme';

/**
 * The caller's scope, refused (401/403) unless it came from this site, its role may take ACTION
 * over REACH, and (for `force`) it may go inside the notice period.
 */
export async function actionScope(
  ctx: ServeContext,
  request: FastifyRequest,
  action: OperationAction,
  reach: ActionReach,
  body: ActionBody,
): Promise<Scope> {
  requireSameOrigin(request);
  const scope = await scopeOfRequest(ctx.db, request, new Date());
  if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
  const rights = rightsOf(ctx.config, scope.role);
  if (!(rights.actions as readonly string[]).includes(action))
    throw forbidden(`a ${scope.role} token cannot ${action}`);
  if (rights.oneMailbox && reach !== 'programme' && (reach === 'organisation' || reach.mailboxes > 1))
    throw forbidden(`a ${scope.role} token acts on one mailbox at a time`);
  // Days and servers are the whole programme's: not for a token restricted to some organisations.
  if (reach === 'programme' && scope.organisations !== null)
    throw forbidden(`a token of some organisations cannot ${action} for the whole programme`);
  if (body.force && !mayForce(scope.role))
    throw forbidden(`a ${scope.role} token acts within the notice period rules (no force)`);
  return scope;
}

/** Runs an operation for SCOPE; a refusal is a 400 (403 when outside its organisations), all or nothing. */
export async function operate(
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

/** The day in `to`, refused (400) when missing. */
export function targetDay(body: ActionBody): string {
  if (!body.to) throw new HttpRefusal(400, 'to: the day is needed (YYYY-MM-DD)');
  return body.to;
}
