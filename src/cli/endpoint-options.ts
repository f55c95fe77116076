import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrancheError, toTrancheError } from '../errors/tranche-error.js';
import { readEnvironment, type EnvironmentVariable } from '../environment/environment.js';

import type { MailStore } from '../mailstore/mail-store.js';
import { checkStoreUrl, openMailStore, storeServer } from '../mailstore/open-mail-store.js';
import type { StoreEndpoint, StoreLogin } from '../mailstore/store-login.js';
import { addOAuthOptions, oauthFlagsOf, oauthSettingFrom } from './oauth-options.js';

/** The flags both sides share, as commander hands them over. */
export interface EndpointFlags {
  source?: string;
  sourceUser?: string;
  sourceAdmin?: string;
  sourceLoginTemplate?: string;
  sourcePasswordFile?: string;
  target?: string;
  targetUser?: string;
  targetAdmin?: string;
  targetLoginTemplate?: string;
  targetPasswordFile?: string;
  insecure?: boolean;
  allowPlaintext?: boolean;
}

/** Adds --source*, --target*, --insecure and --allow-plaintext to a command. */
export function addEndpointOptions(command: Command): Command {
  for (const side of ['source', 'target'] as const) {
    command
      .option(`--${side} <url>`, `${side} server: imap://HOST[:PORT] (STARTTLS) or imaps://HOST[:PORT]`)
      .option(`--${side}-user <user>`, `the mailbox's login on the ${side}`)
      .option(`--${side}-admin <admin>`, `log in as this admin on the user's behalf (SASL PLAIN authzid)`)
      .option(
        `--${side}-login-template <template>`,
        `with --${side}-admin: a composed login instead of SASL PLAIN, e.g. '{user}*{admin}'`,
      )
      .option(
        `--${side}-password-file <file>`,
        `file holding the ${side} password (of the admin when --${side}-admin); default: $TRANCHE_${side.toUpperCase()}_PASSWORD`,
      );
    addOAuthOptions(command, side, clientSecretVariable(side));
  }
  return command
    .option('--insecure', 'do not verify TLS certificates')
    .option('--allow-plaintext', 'allow sending passwords without TLS (trusted networks and tests only)');
}

/** Where a side's OAuth2 client secret may come from instead of a file. */
const clientSecretVariable = (side: 'source' | 'target'): EnvironmentVariable =>
  side === 'source' ? 'TRANCHE_SOURCE_CLIENT_SECRET' : 'TRANCHE_TARGET_CLIENT_SECRET';

function readPassword(side: 'source' | 'target', file: string | undefined): string {
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new TrancheError(
        'usage',
        `--${side}-password-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const fromEnv = readEnvironment(side === 'source' ? 'TRANCHE_SOURCE_PASSWORD' : 'TRANCHE_TARGET_PASSWORD');
  if (fromEnv !== undefined) return fromEnv;
  throw new TrancheError(
    'usage',
    `no ${side} password: set TRANCHE_${side.toUpperCase()}_PASSWORD or give --${side}-password-file`,
  );
}

/** Builds one side's endpoint from the flags, with a usage error naming the first thing missing or wrong. */
export async function endpointFromFlags(
  flags: EndpointFlags,
  side: 'source' | 'target',
): Promise<StoreEndpoint> {
  const url = flags[side];
  if (!url) throw new TrancheError('usage', `--${side} is required`);
  if (!flags[`${side}User`]) throw new TrancheError('usage', `--${side}-user is required`);
  if (flags[`${side}LoginTemplate`] && !flags[`${side}Admin`]) {
    throw new TrancheError('usage', `--${side}-login-template needs --${side}-admin`);
  }
  checkStoreUrl(url, `--${side}`);
  return { url, ...(await loginFromFlags(flags, side)) };
}

/**
 * One side's login from the flags (user, admin, password or OAuth2 token source): shared by the mail
 * and DAV sides. The token sources (node:crypto, node:child_process, the providers' libraries) are
 * loaded only for an OAuth2 login: a password sync never holds them (~3 MB resident).
 */
export async function loginFromFlags(flags: EndpointFlags, side: 'source' | 'target'): Promise<StoreLogin> {
  const user = flags[`${side}User`];
  if (!user) throw new TrancheError('usage', `--${side}-user is required`);
  const admin = flags[`${side}Admin`];
  const loginTemplate = flags[`${side}LoginTemplate`];
  if (loginTemplate && !admin) {
    throw new TrancheError('usage', `--${side}-login-template needs --${side}-admin`);
  }
  const oauth = oauthSettingFrom(oauthFlagsOf(flags, side), side, clientSecretVariable(side));
  if (oauth && admin) {
    throw new TrancheError(
      'usage',
      `--${side}-admin: an OAuth2 token logs in as the mailbox itself; leave it out`,
    );
  }
  return {
    user,
    admin,
    loginTemplate,
    password: oauth ? '' : readPassword(side, flags[`${side}PasswordFile`]),
    bearer: oauth ? (await import('../credentials/token-source-spec.js')).bearerFor(oauth, user) : undefined,
    insecure: flags.insecure ?? false,
    allowPlaintext: flags.allowPlaintext ?? false,
  };
}

/** The key under which a (source account, target account) pair keeps its checkpoints. */
export function mailboxKey(source: StoreEndpoint, target: StoreEndpoint): string {
  const server = (e: StoreEndpoint): string => storeServer(e.url, 'address');
  return `${server(source)}/${source.user} -> ${server(target)}/${target.user}`;
}

/** Connects one side, naming the side in any error. */
export async function openSide(endpoint: StoreEndpoint, side: 'source' | 'target'): Promise<MailStore> {
  try {
    return await openMailStore(endpoint, `--${side}`);
  } catch (error) {
    const typed = toTrancheError(error);
    throw new TrancheError(typed.type, `${side}: ${typed.message}`, {
      cause: error,
      retryable: typed.retryable,
      retryAfterMs: typed.retryAfterMs,
    });
  }
}
