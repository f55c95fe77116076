import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { createLogger } from '../log/logger.js';
import { openProgramme } from './open-programme.js';
import { buildServer, DEFAULT_MAX_AGE_MS } from '../serve/server.js';
import { addProgrammeOption } from './programme-option.js';

interface ServeFlags {
  listen: string;
  refresh: string;
  trustProxy?: boolean;
  programme: string;
}

/** HOST:PORT (IPv6 in brackets); port 0 picks a free one. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65535)
    throw new TrancheError('usage', `--listen must be HOST:PORT (e.g. 127.0.0.1:8080), not ${text}`);
  return { host: m[1] ?? m[2]!, port };
}

const HELP = `
Access needs a token (tranche token create): the API takes it as "Authorization: Bearer TOKEN", the
dashboard's login form as a field. Roles: admin (everything), org-admin (only its organisations),
helpdesk (the lookup), metrics (/metrics only). The API is described at /api/openapi.json.

It listens on loopback by default; to serve others, put it behind a TLS reverse proxy with
--trust-proxy (the session cookie is then marked Secure). See docs/dashboard.md.`;

/** `tranche serve`: the HTTP API, /metrics and the web dashboard, until SIGINT or SIGTERM. */
export function serveCommand(): Command {
  const command = new Command('serve')
    .description('the web dashboard, the JSON API and Prometheus /metrics for the programme')
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8080')
    .option(
      '--refresh <seconds>',
      'whole-programme figures are recomputed when older than this (in the background)',
      String(DEFAULT_MAX_AGE_MS / 1000),
    )
    .option('--trust-proxy', 'behind a reverse proxy: believe its X-Forwarded-Proto and X-Forwarded-For')
    .addHelpText('after', HELP);
  addProgrammeOption(command);
  command.action(async (flags: ServeFlags) => {
    const { host, port } = parseListen(flags.listen);
    const refresh = Number(flags.refresh);
    if (!Number.isFinite(refresh) || refresh < 0)
      throw new TrancheError('usage', '--refresh must be a number of seconds, 0 or more');
    const logger = createLogger().child({ part: 'serve' });
    const { db, config } = await openProgramme(flags.programme);
    const app = await buildServer({
      db,
      config,
      logger,
      maxAgeMs: refresh * 1000,
      trustProxy: flags.trustProxy ?? false,
      warm: true,
    });
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (error) {
      await app.close();
      await db.destroy();
      throw new TrancheError('usage', `cannot listen on ${flags.listen}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    process.stderr.write(`tranche serve: ${config.name} on ${address}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await app.close();
    await db.destroy();
  });
  return command;
}
