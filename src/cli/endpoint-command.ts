import { readFileSync } from 'node:fs';
import { endpointPauseCommands } from './endpoint-pause-command.js';
import { cliAuditEntry } from './record-cli-action.js';
import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import {
  DEFAULT_LIMITS,
  Endpoints,
  type EndpointSummary,
  type EndpointUpdate,
} from '../programme/endpoints/endpoints.js';
import { wholeNumber } from './number-options.js';
import { addProgrammeOption } from './programme-option.js';
import { openProgramme } from './open-programme.js';
import { readEnvironment } from '../environment/environment.js';
import { addOAuthOptions, oauthFlagsOf, oauthSettingFrom, type OAuthFlags } from './oauth-options.js';

/** Where an endpoint's OAuth2 client secret may come from instead of --client-secret-file. */
const CLIENT_SECRET_VARIABLE = 'TRANCHE_ENDPOINT_CLIENT_SECRET';

const DAV_HELP =
  "the users' CalDAV/CardDAV server or collection home, e.g. https://dav.example.org/{user}/ ('{user}' is the mailbox's user): calendars and contacts move with the mail, logged in as the mail side logs in";

interface AddFlags extends OAuthFlags {
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
  bytesPerMailboxPerDay?: string;
  latencyThreshold?: string;
  dav?: string;
  programme: string;
}

/** `endpoint set`'s flags: each one left out stays as it is; false is a --no-… flag. */
interface SetFlags extends OAuthFlags {
  /** False for --no-token-source: back to password logins. */
  tokenSource?: false;
  url?: string;
  admin?: string | false;
  loginTemplate?: string | false;
  adminPasswordFile?: string;
  insecure?: boolean;
  allowPlaintext?: boolean;
  maxConnections?: string;
  maxMailboxes?: string;
  bytesPerHour?: string | false;
  maxMessageSize?: string | false;
  bytesPerMailboxPerDay?: string | false;
  latencyThreshold?: string | false;
  /** False for --no-dav: mail only. */
  dav?: string | false;
  json?: boolean;
  programme: string;
}

const count = (text: string | undefined, flag: string): number | undefined =>
  text === undefined ? undefined : wholeNumber(text, flag);

/** A whole number above 0, or null for its --no-… flag (the limit cleared). */
function countOrNone(text: string | false | undefined, flag: string): number | null | undefined {
  return text === false ? null : count(text, flag);
}

/** The admin's password from --admin-password-file FILE, else $TRANCHE_ENDPOINT_PASSWORD. */
function adminPassword(file: string | undefined): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new TrancheError('usage', `--admin-password-file: cannot read ${file}`);
    }
  }
  return readEnvironment('TRANCHE_ENDPOINT_PASSWORD');
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
  const login = e.tokenSource
    ? `OAuth2 ${e.authMechanism ?? 'xoauth2'} from a ${e.tokenSource} token source${e.hasTokenSecret ? ', secret set' : ''}`
    : e.admin
      ? `admin ${e.admin}${e.loginTemplate ? ` via '${e.loginTemplate}'` : ' (SASL PLAIN)'}, password ${e.hasAdminPassword ? 'set' : 'missing'}`
      : 'user logins';
  const limits = [
    `${e.maxConnections} connections`,
    `${e.maxMailboxes} mailboxes at once`,
    e.bytesPerHour ? `${e.bytesPerHour} bytes/hour` : undefined,
    e.maxMessageSize ? `messages up to ${e.maxMessageSize} bytes` : undefined,
    e.bytesPerMailboxPerDay ? `${e.bytesPerMailboxPerDay} bytes per mailbox per day` : undefined,
    e.latencyThresholdMs ? `fewer mailboxes while logins take over ${e.latencyThresholdMs} ms` : undefined,
  ].filter(Boolean);
  const tls = [
    e.insecure ? 'certificate not verified' : undefined,
    e.allowPlaintext ? 'plaintext allowed' : undefined,
  ].filter(Boolean);
  const dav = e.davUrl ? `; calendars and contacts at ${e.davUrl}` : '';
  return `${e.name}  ${e.url}  ${login}; ${limits.join(', ')}${tls.length ? `; ${tls.join(', ')}` : ''}${dav}`;
}

/** Each setting `endpoint set` reports when it changes: its label, and the unit after a value. */
const SETTINGS: [setting: keyof EndpointSummary, label: string, unit: string][] = [
  ['url', 'url', ''],
  ['admin', 'admin', ''],
  ['loginTemplate', 'login template', ''],
  ['insecure', 'insecure', ''],
  ['allowPlaintext', 'allow plaintext', ''],
  ['maxConnections', 'max connections', ''],
  ['maxMailboxes', 'max mailboxes', ''],
  ['bytesPerHour', 'bytes/hour', ''],
  ['maxMessageSize', 'max message size', ' bytes'],
  ['bytesPerMailboxPerDay', 'bytes per mailbox per day', ''],
  ['latencyThresholdMs', 'latency threshold', ' ms'],
  ['authMechanism', 'auth', ''],
  ['profile', 'profile', ''],
  ['davUrl', 'dav', ''],
];

/** What `endpoint set` changed, one line, never a secret: `endpoint new: max mailboxes 4 → 8, bytes/hour none → 1000000`. */
function describeUpdate({ before, after, adminPasswordReplaced }: EndpointUpdate): string {
  const shown = (value: string | number | boolean | undefined, unit: string): string =>
    value === undefined ? 'none' : typeof value === 'boolean' ? (value ? 'yes' : 'no') : `${value}${unit}`;
  const changes = SETTINGS.filter(([setting]) => before[setting] !== after[setting]).map(
    ([setting, label, unit]) => `${label} ${shown(before[setting], unit)} → ${shown(after[setting], unit)}`,
  );
  if (
    before.tokenSource !== after.tokenSource ||
    (after.tokenSource && before.hasTokenSecret !== after.hasTokenSecret)
  )
    changes.push(`token source ${before.tokenSource ?? 'none'} → ${after.tokenSource ?? 'none'}`);
  if (adminPasswordReplaced) changes.push('admin password replaced');
  else if (before.hasAdminPassword !== after.hasAdminPassword)
    changes.push(`admin password ${after.hasAdminPassword ? 'set' : 'removed'}`);
  return `endpoint ${after.name}: ${changes.length > 0 ? changes.join(', ') : 'unchanged'}`;
}

/** `tranche endpoint add|set|list|remove`: the programme's source and target servers. */
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
      '--bytes-per-mailbox-per-day <n>',
      "each mailbox's daily upload allowance (gmail profile: 500 MB); a step that reaches it goes on the next day",
    )
    .option(
      '--latency-threshold <ms>',
      'adaptive concurrency: a login slower than this halves the mailboxes at once; faster ones raise it again',
    )
    .option('--dav <url>', DAV_HELP)
    .action(async (name: string, flags: AddFlags) => {
      const oauth = oauthSettingFrom(oauthFlagsOf(flags, ''), '', CLIENT_SECRET_VARIABLE);
      await withEndpoints(flags.programme, (endpoints) =>
        endpoints.add(
          {
            oauth,
            profile: flags.profile,
            name,
            url: flags.url,
            admin: flags.admin,
            loginTemplate: flags.loginTemplate,
            adminPassword: flags.admin ? adminPassword(flags.adminPasswordFile) : undefined,
            insecure: flags.insecure ?? false,
            allowPlaintext: flags.allowPlaintext ?? false,
            maxConnections: count(flags.maxConnections, '--max-connections')!,
            maxMailboxes: count(flags.maxMailboxes, '--max-mailboxes')!,
            bytesPerHour: count(flags.bytesPerHour, '--bytes-per-hour'),
            maxMessageSize: count(flags.maxMessageSize, '--max-message-size'),
            bytesPerMailboxPerDay: count(flags.bytesPerMailboxPerDay, '--bytes-per-mailbox-per-day'),
            latencyThresholdMs: count(flags.latencyThreshold, '--latency-threshold'),
            davUrl: flags.dav,
          },
          cliAuditEntry('endpoint.add', name, {
            url: flags.url,
            admin: flags.admin ?? null,
            dav: flags.dav ?? null,
          }),
        ),
      );
      process.stdout.write(`endpoint ${name} added\n`);
    });
  const set = new Command('set')
    .description(
      "change a server's settings and limits, also while runners and workers use it (they pick changes up within seconds)",
    )
    .argument('<name>')
    .option('--url <url>', 'imap://HOST[:PORT] (STARTTLS) or imaps://HOST[:PORT]')
    .option(
      '--admin <user>',
      'a new admin (its password from --admin-password-file or $TRANCHE_ENDPOINT_PASSWORD)',
    )
    .option('--no-admin', 'user logins: forget the admin, its password and login template')
    .option('--admin-password-file <file>', "file with the admin's new password")
    .option('--login-template <template>', "a composed admin login, e.g. '{user}*{admin}'")
    .option('--no-login-template', 'the admin logs in with SASL PLAIN again')
    .option('--insecure', 'do not verify the TLS certificate')
    .option('--no-insecure', 'verify the TLS certificate again')
    .option('--allow-plaintext', 'allow passwords without TLS (trusted networks only)')
    .option('--no-allow-plaintext', 'refuse passwords without TLS again')
    .option('--max-connections <n>', 'connections at once, all workers together')
    .option('--max-mailboxes <n>', 'mailboxes copied at once')
    .option('--bytes-per-hour <n>', "the server's migration budget in bytes per hour")
    .option('--no-bytes-per-hour', 'no byte budget')
    .option('--max-message-size <n>', 'largest message the server accepts, in bytes')
    .option('--no-max-message-size', 'largest message not known')
    .option('--bytes-per-mailbox-per-day <n>', "each mailbox's daily upload allowance, in bytes")
    .option('--no-bytes-per-mailbox-per-day', 'no daily upload allowance')
    .option('--latency-threshold <ms>', 'adaptive concurrency from login times (see add)')
    .option('--no-latency-threshold', 'no adaptive concurrency')
    .option('--dav <url>', DAV_HELP)
    .option('--no-dav', 'mail only: forget the DAV address')
    .option('--no-token-source', 'password logins again: forget the OAuth2 token source and its secret')
    .option('--json', 'print the endpoint as `endpoint list --json` does')
    .action(async (name: string, flags: SetFlags) => {
      const oauth =
        flags.tokenSource === false
          ? null
          : oauthSettingFrom(oauthFlagsOf(flags, ''), '', CLIENT_SECRET_VARIABLE);
      const update = await withEndpoints(flags.programme, (endpoints) =>
        endpoints.set(
          name,
          {
            oauth,
            profile: flags.profile,
            url: flags.url,
            admin: flags.admin === false ? null : flags.admin,
            adminPassword:
              flags.admin || flags.adminPasswordFile ? adminPassword(flags.adminPasswordFile) : undefined,
            loginTemplate: flags.loginTemplate === false ? null : flags.loginTemplate,
            insecure: flags.insecure,
            allowPlaintext: flags.allowPlaintext,
            maxConnections: count(flags.maxConnections, '--max-connections'),
            maxMailboxes: count(flags.maxMailboxes, '--max-mailboxes'),
            bytesPerHour: countOrNone(flags.bytesPerHour, '--bytes-per-hour'),
            maxMessageSize: countOrNone(flags.maxMessageSize, '--max-message-size'),
            bytesPerMailboxPerDay: countOrNone(flags.bytesPerMailboxPerDay, '--bytes-per-mailbox-per-day'),
            latencyThresholdMs: countOrNone(flags.latencyThreshold, '--latency-threshold'),
            davUrl: flags.dav === false ? null : flags.dav,
          },
          (u) => cliAuditEntry('endpoint.set', name, { change: describeUpdate(u) }),
        ),
      );
      const text = flags.json ? JSON.stringify(update.after, null, 2) : describeUpdate(update);
      process.stdout.write(`${text}\n`);
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
      await withEndpoints(flags.programme, (endpoints) =>
        endpoints.remove(name, cliAuditEntry('endpoint.remove', name, { removed: true })),
      );
      process.stdout.write(`endpoint ${name} removed\n`);
    });
  addOAuthOptions(add, '', CLIENT_SECRET_VARIABLE);
  addOAuthOptions(set, '', CLIENT_SECRET_VARIABLE);
  for (const sub of [add, set, list, remove]) endpoint.addCommand(addProgrammeOption(sub));
  for (const sub of endpointPauseCommands()) endpoint.addCommand(sub);
  return endpoint;
}
