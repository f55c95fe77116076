import type { FastifyInstance } from 'fastify';
import { scopeOfRequest } from '../auth/authenticate.js';
import { OPERATION_ACTIONS, mayForce, rightsOf } from '../auth/operation-roles.js';
import { areasOf, ROLES } from '../auth/role.js';
import { HttpRefusal } from '../http-refusal.js';
import { arr, bool, nullable, obj, replies, str } from '../schemas/json-schema.js';
import type { ServeContext } from '../serve-context.js';

/**
 * GET /api/me: who the caller is (the token's name, role, areas and organisations; never the token)
 * and what it may do (the actions of its role, one mailbox at a time or not, force or not): the
 * dashboard shows only the forms the caller may use.
 */
export function meRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/me',
    {
      schema: {
        summary: 'The caller: token name, role, what it may open',
        tags: ['access'],
        response: replies(
          obj({
            name: str,
            role: { type: 'string', enum: ROLES },
            areas: arr(str),
            organisations: nullable(arr(str)),
            actions: arr({ type: 'string', enum: OPERATION_ACTIONS }),
            oneMailbox: bool,
            force: bool,
          }),
        ),
      },
    },
    async (request) => {
      const scope = await scopeOfRequest(ctx.db, request, new Date());
      if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
      const rights = rightsOf(ctx.config, scope.role);
      return {
        name: scope.tokenName,
        role: scope.role,
        areas: [...areasOf(scope.role)],
        organisations: scope.organisations === null ? null : [...scope.organisations],
        actions: [...rights.actions],
        oneMailbox: rights.oneMailbox,
        force: mayForce(scope.role),
      };
    },
  );
}
