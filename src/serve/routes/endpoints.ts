import type { FastifyInstance } from 'fastify';
import { endpointLines } from '../../report/endpoint-lines.js';
import { apiScope } from '../auth/authenticate.js';
import { forbidden } from '../http-refusal.js';
import { arr, obj, replies, str, nullable } from '../schemas/json-schema.js';
import type { ServeContext } from '../serve-context.js';

/** GET /api/endpoints: the programme's servers and whether each is paused (whole-programme tokens only). */
export function endpointRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.get(
    '/api/endpoints',
    {
      schema: {
        summary: "The programme's servers: name, paused or not, and why",
        tags: ['endpoints'],
        response: replies(
          obj({
            endpoints: arr(obj({ name: str, pausedReason: nullable(str), pauseNow: { type: 'boolean' } })),
          }),
        ),
      },
    },
    async (request) => {
      const scope = await apiScope(ctx.db, request, 'overview');
      if (scope.organisations !== null)
        throw forbidden("a token of some organisations cannot list the programme's servers");
      return { endpoints: await endpointLines(ctx.db) };
    },
  );
}
