import type { FastifyInstance } from 'fastify';
import { apiScope } from '../auth/authenticate.js';
import { workerLoad } from '../../report/worker-load.js';
import { metricsRegistry } from '../metrics/metrics-registry.js';
import { metricsView } from '../metrics/metrics-view.js';
import { wholeView, type ServeContext } from '../serve-context.js';

/** GET /metrics: Prometheus text, for a bearer token with the metrics (or admin) role. */
export function metricsRoutes(app: FastifyInstance, ctx: ServeContext): void {
  const registry = metricsRegistry(async () => {
    const now = await ctx.now();
    const [figures, load] = await Promise.all([
      wholeView(ctx, metricsView),
      workerLoad(ctx.db, ctx.config, now),
    ]);
    return { figures: figures.value, figuresAt: figures.at, load };
  });
  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'Prometheus metrics: programme-wide figures kept up to --refresh seconds, workers and endpoint load read at each scrape',
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
