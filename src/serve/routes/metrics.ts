import type { FastifyInstance } from 'fastify';
import { apiScope } from '../auth/authenticate.js';
import { readMetrics } from '../metrics/metric-readings.js';
import { metricsRegistry } from '../metrics/metrics-registry.js';
import type { ServeContext } from '../serve-context.js';

/** GET /metrics: Prometheus text, for a bearer token with the metrics (or admin) role. */
export function metricsRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const registry = metricsRegistry(async () => readMetrics(ctx.db, await ctx.now(), new Date()));
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (read from the store at each scrape)',
        tags: ['metrics'],
        produces: ['text/plain'],
        response: { 200: { description: 'Prometheus text exposition format', type: 'string' } },
      },
    },
    async (request, reply) => {
      await apiScope(ctx.db, request, 'metrics');
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
