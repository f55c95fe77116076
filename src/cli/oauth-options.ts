import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { OAuthMechanism, OAuthSetting, TokenSourceSpec } from '../credentials/token-source-spec.js';
import { targetRules, type TargetRules } from '../copy/target-rules.js';
import { SERVICE_PROFILES, serviceProfile, type ServiceProfileName } from '../mailstore/service-profile.js';
import { readEnvironment, type EnvironmentVariable } from '../environment/environment.js';
import { TrancheError } from '../errors/tranche-error.js';

/** The OAuth2 flags as commander hands them over, by their name without the side's prefix. */
export interface OAuthFlags {
  tokenCommand?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  tokenParam?: string[];
  clientSecretFile?: string;
  provider?: 'microsoft' | 'google';
  tenant?: string;
  clientCertificate?: string;
  serviceAccountFile?: string;
  authority?: string;
  auth?: OAuthMechanism;
  profile?: ServiceProfileName;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--source-token-url` for prefix 'source', `--token-url` for an endpoint (no prefix). */
const flag = (prefix: string, name: string): string => `--${prefix ? `${prefix}-` : ''}${name}`;

/**
 * Adds the OAuth2 flags for one side (prefix 'source' or 'target') or an endpoint (prefix '').
 * `secretVariable` is where a client secret may come from instead of a file.
 */
export function addOAuthOptions(
  command: Command,
  prefix: string,
  secretVariable: EnvironmentVariable,
): Command {
  const f = (name: string): string => flag(prefix, name);
  return command
    .option(
      `${f('token-command')} <cmd>`,
      'OAuth2: a shell command printing an access token (or JSON {access_token, expires_in}); TRANCHE_USER is the login user',
    )
    .option(`${f('token-url')} <url>`, 'OAuth2 client credentials: the token endpoint')
    .option(`${f('client-id')} <id>`, 'OAuth2: the application (client) id')
    .option(`${f('scope')} <scope>`, 'OAuth2: the scope asked for')
    .option(
      `${f('token-param')} <NAME=VALUE>`,
      'OAuth2 client credentials: an extra token request parameter; {user} is the login user; repeatable',
      collect,
    )
    .option(
      `${f('client-secret-file')} <file>`,
      `OAuth2: file holding the client secret (default: $${secretVariable})`,
    )
    .addOption(
      new Option(`${f('provider')} <name>`, "OAuth2 through the provider's own library").choices([
        'microsoft',
        'google',
      ]),
    )
    .option(`${f('tenant')} <id>`, 'Microsoft: the tenant (directory) id or domain')
    .option(
      `${f('client-certificate')} <file>`,
      'Microsoft: a PEM file with the certificate and its private key, instead of a client secret',
    )
    .option(
      `${f('service-account-file')} <file>`,
      'Google: the service account key (JSON) with domain-wide delegation',
    )
    .option(
      `${f('authority')} <url>`,
      'Microsoft: the login host of a national cloud (default https://login.microsoftonline.com)',
    )
    .addOption(
      new Option(`${f('auth')} <mechanism>`, 'SASL mechanism for the token (default xoauth2)').choices([
        'xoauth2',
        'oauthbearer',
      ]),
    )
    .addOption(
      new Option(`${f('profile')} <service>`, 'what the service does differently').choices([
        ...Object.keys(SERVICE_PROFILES),
      ]),
    );
}

/** Reads a secret file; a usage error names the flag and the error code, never the content. */
export function readSecretFile(flagName: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new TrancheError(
      'usage',
      `${flagName}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** The OAuth2 flags of one side, taken out of commander's flags by their prefixed names. */
export function oauthFlagsOf(flags: object, prefix: string): OAuthFlags {
  const all = flags as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of [
    'tokenCommand',
    'tokenUrl',
    'clientId',
    'scope',
    'tokenParam',
    'clientSecretFile',
    'provider',
    'tenant',
    'clientCertificate',
    'serviceAccountFile',
    'authority',
    'auth',
    'profile',
  ]) {
    const key = prefix ? `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}` : name;
    if (all[key] !== undefined) out[name] = all[key];
  }
  return out;
}

/** NAME=VALUE pairs of --*-token-param. */
function tokenParams(values: string[] | undefined, name: string): [string, string][] {
  return (values ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new TrancheError('usage', `${name}: expected NAME=VALUE, got '${pair}'`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

/**
 * The token source the flags describe with its secret, or undefined when they name none. A usage
 * error names the first flag missing or out of place.
 */
export function oauthSettingFrom(
  o: OAuthFlags,
  prefix: string,
  secretVariable: EnvironmentVariable,
): OAuthSetting | undefined {
  const f = (name: string): string => flag(prefix, name);
  const given = [
    o.tokenCommand && f('token-command'),
    o.tokenUrl && f('token-url'),
    o.provider && f('provider'),
  ];
  const sources = given.filter((g): g is string => Boolean(g));
  if (sources.length > 1) throw new TrancheError('usage', `${sources.join(' and ')}: give one token source`);
  if (sources.length === 0) {
    const stray = (
      [
        ['clientId', 'client-id'],
        ['tokenParam', 'token-param'],
        ['clientSecretFile', 'client-secret-file'],
        ['tenant', 'tenant'],
        ['clientCertificate', 'client-certificate'],
        ['serviceAccountFile', 'service-account-file'],
        ['auth', 'auth'],
      ] as const
    ).find(([key]) => o[key] !== undefined);
    if (stray) {
      throw new TrancheError(
        'usage',
        `${f(stray[1])} needs a token source: ${f('token-command')}, ${f('token-url')} or ${f('provider')}`,
      );
    }
    return undefined;
  }
  const clientSecret = (): string => {
    if (o.clientSecretFile) return readSecretFile(f('client-secret-file'), o.clientSecretFile);
    const fromEnv = readEnvironment(secretVariable);
    if (fromEnv) return fromEnv;
    throw new TrancheError(
      'usage',
      `no client secret: set ${secretVariable} or give ${f('client-secret-file')}`,
    );
  };
  const need = (value: string | undefined, name: string, why: string): string => {
    if (!value) throw new TrancheError('usage', `${why} needs ${f(name)}`);
    return value;
  };
  const mechanism = o.auth ?? 'xoauth2';
  let spec: TokenSourceSpec;
  let secret: string | undefined;
  if (o.tokenCommand) {
    spec = { kind: 'command', command: o.tokenCommand };
  } else if (o.tokenUrl) {
    try {
      new URL(o.tokenUrl);
    } catch {
      throw new TrancheError('usage', `${f('token-url')}: '${o.tokenUrl}' is not a URL`);
    }
    spec = {
      kind: 'client-credentials',
      tokenUrl: o.tokenUrl,
      clientId: need(o.clientId, 'client-id', f('token-url')),
      scope: o.scope,
      params: tokenParams(o.tokenParam, f('token-param')),
    };
    secret = clientSecret();
  } else if (o.provider === 'microsoft') {
    spec = {
      kind: 'microsoft',
      tenant: need(o.tenant, 'tenant', `${f('provider')} microsoft`),
      clientId: need(o.clientId, 'client-id', `${f('provider')} microsoft`),
      certificate: o.clientCertificate !== undefined,
      scope: o.scope,
      authorityHost: o.authority,
    };
    secret = o.clientCertificate
      ? readSecretFile(f('client-certificate'), o.clientCertificate)
      : clientSecret();
  } else {
    spec = { kind: 'google', scope: o.scope };
    secret = readSecretFile(
      f('service-account-file'),
      need(o.serviceAccountFile, 'service-account-file', `${f('provider')} google`),
    );
  }
  return { spec, secret, mechanism };
}

/**
 * What the two sides' service profiles change in a one-mailbox copy: a Gmail source's folders
 * that only repeat messages (All Mail, Important, Starred) left out, the connections kept
 * within what the services allow per mailbox, and the target's habits (its message size limit and
 * closed flag set) where its server does not say.
 */
export function profileAdjustments(
  flags: object,
  connections: number,
): { excludes: string[]; connections: number; target: TargetRules | undefined } {
  const source = serviceProfile(oauthFlagsOf(flags, 'source').profile);
  const target = serviceProfile(oauthFlagsOf(flags, 'target').profile);
  const caps = [source, target].flatMap((p) => (p ? [p.connectionsPerMailbox] : []));
  return {
    excludes: source?.sourceExcludes.paths ?? [],
    connections: Math.min(connections, ...caps),
    target: targetRules(target),
  };
}
