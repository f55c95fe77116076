import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import type { Logger } from '../log/logger.js';
import type { ProgrammeConfig } from '../programme/config/config.js';
import type { Database } from '../state/schema.js';
import { refusalPage } from './dashboard/html-pages.js';
import { HttpRefusal } from './http-refusal.js';
import { metricsView } from './metrics/metrics-view.js';
import { calendarRoutes, calendarView } from './routes/calendar.js';
import { endpointRoutes } from './routes/endpoints.js';
import { groupActionRoutes } from './routes/group-actions.js';
import { operationRoutes } from './routes/operations.js';
import { exportRoutes } from './routes/exports.js';
import { failureRoutes } from './routes/failures.js';
import { localPath, loginRoutes } from './routes/login.js';
import { lookupRoutes } from './routes/lookup.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { organisationRoutes, organisationsView } from './routes/organisations.js';
import { overviewRoutes, overviewView } from './routes/overview.js';
import { pageRoutes } from './routes/pages.js';
import { securityHeaders } from './security-headers.js';
import { serveContext, warmViews, type ServeContext } from './serve-context.js';

/** What `tranche serve` serves. */
export interface ServerOptions {
  db: Kysely<Database>;
  config: ProgrammeConfig;
  logger: Logger;
  /** How old a whole-programme view may be before it is recomputed (in the background). */
  maxAgeMs?: number;
  /** Believe X-Forwarded-Proto/-For from a reverse proxy in front (so the cookie is Secure over HTTPS). */
  trustProxy?: boolean;
  /** Compute the whole-programme views (overview, /metrics figures, calendar, organisations) at once, in the background (the served command; not tests). */
  warm?: boolean;
}

/** Whole-programme views are recomputed when older than this, by default. */
export const DEFAULT_MAX_AGE_MS = 30_000;

const isApi = (url: string): boolean => url.startsWith('/api/') || url.startsWith('/metrics');

/** The HTTP status for an error: refusals as they say, bad requests 400, unknown names 404, the rest 500. */
function statusOf(error: FastifyError | Error): number {
  if (error instanceof HttpRefusal) return error.statusCode;
  if (error instanceof TrancheError) return error.type === 'usage' ? 404 : 500;
  const code = (error as FastifyError).statusCode;
  return code !== undefined && code >= 400 && code < 500 ? code : 500;
}

function errorHandler(ctx: ServeContext) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const status = statusOf(error);
    // The route's pattern, not the URL: no address or query string in the log.
    if (status >= 500)
      ctx.logger.error(
        { err: error, method: request.method, route: request.routeOptions.url },
        'request failed',
      );
    const message = status >= 500 ? 'internal error' : error.message;
    if (isApi(request.url)) return reply.code(status).send({ error: message });
    if (status === 401)
      return reply.redirect(`/login?next=${encodeURIComponent(localPath(request.url))}`, 303);
    return reply.code(status).type('text/html; charset=utf-8').send(refusalPage(status, message));
  };
}

/**
 * The `tranche serve` application: the JSON API (described by /api/openapi.json), /metrics, and the
 * dashboard's pages, every one behind a token's scope. Not listening yet: listen() it, or inject()
 * in tests.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const ctx = serveContext(
    options.db,
    options.config,
    options.logger,
    options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
  );
  const app = Fastify({
    logger: false,
    bodyLimit: 16_384,
    trustProxy: options.trustProxy ?? false,
    // Fastify's default (100) answered 414 for a longer address that `tranche status` finds; an
    // address is at most 254 characters, up to 3 bytes each once percent-encoded. (A router
    // option: given at the top level, Fastify 5 warns FSTDEP022.)
    routerOptions: { maxParamLength: 1024 },
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, new URLSearchParams(body as string));
    },
  );
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'tranche',
        description: `The ${options.config.name} programme: progress, calendar, organisations, failures, the helpdesk lookup, exports.`,
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A token from tranche token create' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'tranche_session',
            description: 'The dashboard login',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  app.addHook('onSend', securityHeaders);
  app.setErrorHandler(errorHandler(ctx));
  app.setNotFoundHandler((request, reply) =>
    isApi(request.url)
      ? reply.code(404).send({ error: 'not found' })
      : reply.code(404).type('text/html; charset=utf-8').send(refusalPage(404, 'There is no such page.')),
  );
  for (const routes of [
    meRoutes,
    overviewRoutes,
    calendarRoutes,
    organisationRoutes,
    failureRoutes,
    lookupRoutes,
    exportRoutes,
    operationRoutes,
    groupActionRoutes,
    endpointRoutes,
    metricsRoutes,
    loginRoutes,
    pageRoutes,
  ])
    routes(app, ctx);
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.ready();
  if (options.warm)
    warmViews(ctx, [overviewView, metricsView, calendarView, organisationsView]).then(
      (tookMs) => options.logger.info({ tookMs }, 'whole-programme views computed'),
      (error: unknown) =>
        options.logger.warn(
          { err: (error as Error).message },
          'whole-programme views not computed ahead; the first requests will',
        ),
    );
  return app;
}
