import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { DEFAULT_LIMITS, Endpoints, type EndpointSummary } from '../programme/endpoints.js';
import { openProgramme } from '../programme/open-programme.js';

interface AddFlags {
  url: string;
  admin?: string;
  loginTemplate?: string;
  adminPasswordFile?: string;
  insecure?: boolean;
  allowPlaintext?: boolean;
  maxConnections: string;
  maxMailboxes: string;
  bytesPerHour?: string;
  maxMessageSize?: string;
  latencyThreshold?: string;
  programme: string;
}

/** Adds --programme DIR (default: $TRANCHE_PROGRAMME, else the current directory). */
export function addProgrammeOption(command: Command): Command {
  return command.option(
    '--programme <dir>',
    'the programme directory (default: $TRANCHE_PROGRAMME, else the current directory)',
    process.env.TRANCHE_PROGRAMME ?? '.',
  );
}

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new TrancheError('usage', `${flag} must be a whole number above 0`);
  return n;
}

function adminPassword(flags: AddFlags): string | undefined {
  if (flags.adminPasswordFile) {
    try {
      return readFileSync(flags.adminPasswordFile, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new TrancheError('usage', `--admin-password-file: cannot read ${flags.adminPasswordFile}`);
    }
  }
  return process.env.TRANCHE_ENDPOINT_PASSWORD || undefined;
}

async function withEndpoints<T>(dir: string, work: (endpoints: Endpoints) => Promise<T>): Promise<T> {
  const programme = await openProgramme(dir);
  try {
    return await work(new Endpoints(programme.db, programme.box));
  } finally {
    await programme.db.destroy();
  }
}

function describe(e: EndpointSummary): string {
  const login = e.admin
    ? `admin ${e.admin}${e.loginTemplate ? ` via '${e.loginTemplate}'` : ' (SASL PLAIN)'}, password ${e.hasAdminPassword ? 'set' : 'missing'}`
    : 'user logins';
  const limits = [
    `${e.maxConnections} connections`,
    `${e.maxMailboxes} mailboxes at once`,
    e.bytesPerHour ? `${e.bytesPerHour} bytes/hour` : undefined,
    e.maxMessageSize ? `messages up to ${e.maxMessageSize} bytes` : undefined,
    e.latencyThresholdMs ? `fewer mailboxes while logins take over ${e.latencyThresholdMs} ms` : undefined,
  ].filter(Boolean);
  const tls = [
    e.insecure ? 'certificate not verified' : undefined,
    e.allowPlaintext ? 'plaintext allowed' : undefined,
  ].filter(Boolean);
  return `${e.name}  ${e.url}  ${login}; ${limits.join(', ')}${tls.length ? `; ${tls.join(', ')}` : ''}`;
}

/** `tranche endpoint add|list|remove`: the programme's source and target servers. */
export function endpointCommand(): Command {
  const endpoint = new Command('endpoint').description('define the source and target servers of a programme');
  const add = new Command('add')
    .description('add a server: URL, admin login, limits (the admin password is stored encrypted)')
    .argument('<name>', 'a short name, e.g. old-exchange or new-dovecot')
    .requiredOption('--url <url>', 'imap://HOST[:PORT] (STARTTLS) or imaps://HOST[:PORT]')
    .option('--admin <user>', "admin (master) user that logs in on each mailbox owner's behalf")
    .option(
      '--login-template <template>',
      "with --admin: a composed login instead of SASL PLAIN, e.g. '{user}*{admin}'",
    )
    .option(
      '--admin-password-file <file>',
      'file with the admin password (default: $TRANCHE_ENDPOINT_PASSWORD)',
    )
    .option('--insecure', 'do not verify the TLS certificate')
    .option('--allow-plaintext', 'allow passwords without TLS (trusted networks only)')
    .option(
      '--max-connections <n>',
      'connections at once, all workers together',
      String(DEFAULT_LIMITS.maxConnections),
    )
    .option('--max-mailboxes <n>', 'mailboxes copied at once', String(DEFAULT_LIMITS.maxMailboxes))
    .option('--bytes-per-hour <n>', "the server's migration budget in bytes per hour")
    .option('--max-message-size <n>', 'largest message the server accepts, in bytes')
    .option(
      '--latency-threshold <ms>',
      'adaptive concurrency: a login slower than this halves the mailboxes at once; faster ones raise it again',
    )
    .action(async (name: string, flags: AddFlags) => {
      await withEndpoints(flags.programme, (endpoints) =>
        endpoints.add({
          name,
          url: flags.url,
          admin: flags.admin,
          loginTemplate: flags.loginTemplate,
          adminPassword: flags.admin ? adminPassword(flags) : undefined,
          insecure: flags.insecure ?? false,
          allowPlaintext: flags.allowPlaintext ?? false,
          maxConnections: count(flags.maxConnections, '--max-connections')!,
          maxMailboxes: count(flags.maxMailboxes, '--max-mailboxes')!,
          bytesPerHour: count(flags.bytesPerHour, '--bytes-per-hour'),
          maxMessageSize: count(flags.maxMessageSize, '--max-message-size'),
          latencyThresholdMs: count(flags.latencyThreshold, '--latency-threshold'),
        }),
      );
      process.stdout.write(`endpoint ${name} added\n`);
    });
  const list = new Command('list')
    .description('list the servers (secrets are never shown)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; programme: string }) => {
      const all = await withEndpoints(flags.programme, (endpoints) => endpoints.list());
      const text = flags.json
        ? JSON.stringify(all, null, 2)
        : all.length
          ? all.map(describe).join('\n')
          : 'no endpoints yet (tranche endpoint add)';
      process.stdout.write(`${text}\n`);
    });
  const remove = new Command('remove')
    .description('remove a server')
    .argument('<name>')
    .action(async (name: string, flags: { programme: string }) => {
      await withEndpoints(flags.programme, (endpoints) => endpoints.remove(name));
      process.stdout.write(`endpoint ${name} removed\n`);
    });
  for (const sub of [add, list, remove]) endpoint.addCommand(addProgrammeOption(sub));
  return endpoint;
}
