import type { FastifyInstance } from 'fastify';
import { scopeOfRequest } from '../auth/authenticate.js';
import { areasOf, ROLES } from '../auth/role.js';
import { HttpRefusal } from '../http-refusal.js';
import { arr, nullable, obj, replies, str } from '../schemas/json-schema.js';
import type { ServeContext } from '../serve-context.js';

/** GET /api/me: who the caller is (the token's name, role, areas and organisations; never the token). */
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
          }),
        ),
      },
    },
    async (request) => {
      const scope = await scopeOfRequest(ctx.db, request, new Date());
      if (!scope) throw new HttpRefusal(401, 'a valid token is needed: Authorization: Bearer <token>');
      return {
        name: scope.tokenName,
        role: scope.role,
        areas: [...areasOf(scope.role)],
        organisations: scope.organisations === null ? null : [...scope.organisations],
      };
    },
  );
}
