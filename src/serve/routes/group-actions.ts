import type { FastifyInstance } from 'fastify';
import { closeDay, dayCapacity, openDay } from '../../programme/operations/day-operations.js';
import {
  holdOrganisations,
  moveOrganisation,
  releaseOrganisations,
} from '../../programme/operations/organisation-operations.js';
import type { OperationAction } from '../auth/operation-roles.js';
import { HttpRefusal } from '../http-refusal.js';
import type { ServeContext } from '../serve-context.js';
import { actionScope, bodyOf, operate, targetDay } from './operation-request.js';

/** A whole number from a form field, refused (400) when it is not one. */
function wholeNumber(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new HttpRefusal(400, `${field}: a whole number, 0 or more`);
  return Number(text);
}

/**
 * POST /api/organisations/:code/hold|release|move (a whole organisation: its own for an org-admin)
 * and /api/days/:day/close|open|capacity (the whole programme's calendar), by role, same-origin
 * only; without `confirm` the answer is what would happen.
 */
export function groupActionRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const hide = { schema: { hide: true } };
  app.post<{ Params: { code: string; action: string } }>(
    '/api/organisations/:code/:action',
    hide,
    async (request) => {
      const { code, action } = request.params;
      if (action !== 'hold' && action !== 'release' && action !== 'move')
        throw new HttpRefusal(404, `no action ${action}`);
      const body = bodyOf(request);
      const scope = await actionScope(ctx, request, action, 'organisation', body);
      if (action === 'move') {
        const day = targetDay(body);
        return operate(ctx, scope, body, (input) => moveOrganisation(input, code, day));
      }
      const work = action === 'hold' ? holdOrganisations : releaseOrganisations;
      return operate(ctx, scope, body, (input) => work(input, [code]));
    },
  );

  app.post<{ Params: { day: string; action: string } }>('/api/days/:day/:action', hide, async (request) => {
    const { day, action } = request.params;
    if (action !== 'close' && action !== 'open' && action !== 'capacity')
      throw new HttpRefusal(404, `no action ${action}`);
    const body = bodyOf(request);
    const scope = await actionScope(ctx, request, action satisfies OperationAction, 'programme', body);
    if (action === 'capacity') {
      const mailboxes = wholeNumber(body.mailboxes, 'mailboxes');
      if (mailboxes === undefined) throw new HttpRefusal(400, 'mailboxes: the capacity of the day is needed');
      const bytes = wholeNumber(body.bytes, 'bytes');
      return operate(ctx, scope, body, (input) => dayCapacity(input, day, mailboxes, bytes));
    }
    const work = action === 'close' ? closeDay : openDay;
    return operate(ctx, scope, body, (input) => work(input, day));
  });
}
