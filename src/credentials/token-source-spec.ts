import { createHash } from 'node:crypto';
import { TrancheError } from '../errors/tranche-error.js';
import type { BearerLogin } from './bearer-login.js';
import { ClientCredentialsTokenSource } from './client-credentials-token-source.js';
import { CommandTokenSource } from './command-token-source.js';
import { GMAIL_SCOPE, GoogleTokenSource } from './google-token-source.js';
import {
  EXCHANGE_ONLINE_SCOPE,
  MICROSOFT_AUTHORITY_HOST,
  MicrosoftTokenSource,
} from './microsoft-token-source.js';
import { processTokenCache, type TokenCache } from './token-cache.js';
import type { TokenSource } from './token-source.js';

/** The SASL mechanism a token is given with. */
export type OAuthMechanism = 'xoauth2' | 'oauthbearer';

/** A token source as configured, without its secret: what an endpoint row and the flags hold. */
export type TokenSourceSpec =
  | { kind: 'command'; command: string }
  | {
      kind: 'client-credentials';
      tokenUrl: string;
      clientId: string;
      scope: string | undefined;
      params: [string, string][];
    }
  | {
      kind: 'microsoft';
      tenant: string;
      clientId: string;
      /** The secret is a certificate and its private key (PEM), not a client secret. */
      certificate: boolean;
      scope: string | undefined;
      /** Another login host than Microsoft's global one (a national cloud). */
      authorityHost: string | undefined;
    }
  | { kind: 'google'; scope: string | undefined };

/** How one side logs in with OAuth2: the source, its secret (client secret, key, service account), the mechanism. */
export interface OAuthSetting {
  spec: TokenSourceSpec;
  /** Sealed at rest; never logged. Undefined for a command. */
  secret: string | undefined;
  mechanism: OAuthMechanism;
}

/** Sources made so far, so every login of a process shares one (and msal-node one application). */
const made = new Map<string, TokenSource>();

/** Whether a source of this kind needs a secret, and which. */
export function secretNeeded(spec: TokenSourceSpec): string | undefined {
  switch (spec.kind) {
    case 'command':
      return undefined;
    case 'client-credentials':
      return 'a client secret';
    case 'microsoft':
      return spec.certificate ? 'a client certificate' : 'a client secret';
    case 'google':
      return 'a service account key file';
  }
}

function make(spec: TokenSourceSpec, secret: string | undefined): TokenSource {
  const needed = secretNeeded(spec);
  if (needed && !secret) throw new TrancheError('usage', `${spec.kind} token source: ${needed} is needed`);
  const s = secret ?? '';
  switch (spec.kind) {
    case 'command':
      return new CommandTokenSource(spec.command);
    case 'client-credentials':
      return new ClientCredentialsTokenSource({ ...spec, clientSecret: s });
    case 'microsoft':
      return new MicrosoftTokenSource({
        tenant: spec.tenant,
        clientId: spec.clientId,
        credential: spec.certificate ? { certificatePem: s } : { secret: s },
        scope: spec.scope ?? EXCHANGE_ONLINE_SCOPE,
        authorityHost: spec.authorityHost ?? MICROSOFT_AUTHORITY_HOST,
      });
    case 'google':
      return new GoogleTokenSource(s, spec.scope ?? GMAIL_SCOPE);
  }
}

/** The token source of a setting, made once per process for the same spec and secret. */
export function tokenSourceOf(spec: TokenSourceSpec, secret: string | undefined): TokenSource {
  const key = createHash('sha256')
    .update(JSON.stringify(spec))
    .update('\u0000')
    .update(secret ?? '')
    .digest('hex');
  let source = made.get(key);
  if (!source) {
    source = make(spec, secret);
    made.set(key, source);
  }
  return source;
}

/** The login a store uses to get tokens for USER from a setting, through the shared cache. */
export function bearerFor(
  setting: OAuthSetting,
  user: string,
  cache: TokenCache = processTokenCache,
): BearerLogin {
  const source = tokenSourceOf(setting.spec, setting.secret);
  return {
    mechanism: setting.mechanism,
    source: source.description,
    async token(fresh) {
      const { token, cached } = await cache.token(source, user, fresh);
      return { accessToken: token.value, cached };
    },
  };
}
