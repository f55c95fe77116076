// Test harness: a real OAuth2 token server (oidc-provider) on a loopback port, issuing JWT access
// tokens by client credentials that the OAuth2-only test Dovecot (dovecot.ts, oauth2 option) accepts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { OAuth2Keys } from './dovecot.js';

/** A client the token server knows. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Options of a test token server. */
export interface OAuthServerOptions {
  /** How long access tokens live, in seconds (default 3600). */
  ttlSeconds?: number;
  /** Signing: HS256 with a shared key, or RS256 with the server's key (default HS256). */
  alg?: 'HS256' | 'RS256';
  /** Serve HTTPS with this certificate and key (PEM files), as msal-node wants. */
  tls?: { cert: string; key: string };
  /** A path the issuer lives under, e.g. '/tenant-1' (a Microsoft-style authority). */
  path?: string;
  /** Client ids to register, each with a fresh secret (default one client). */
  clientIds?: string[];
  /**
   * Users whose tokens the mail server must refuse (no permission on that mailbox): their tokens
   * carry `mail_access: no`, others `yes`, and `keys` tells Dovecot to insist on `yes`.
   */
  refusedUsers?: string[];
  /** The user a token names when its request names none: an application's access to one mailbox (Exchange-style). */
  defaultUser?: string;
  /** How clients authenticate: HTTP Basic (default, RFC 6749's must), or the secret in the form (as msal-node sends it). */
  clientAuth?: 'basic' | 'post';
}

/** A running test token server. */
export interface OAuthServer {
  /** The issuer, e.g. http://127.0.0.1:PORT or https://127.0.0.1:PORT/tenant-1. */
  issuer: string;
  /** Where tokens are asked for (client credentials). */
  tokenUrl: string;
  /** What the test Dovecot must trust to accept these tokens. */
  keys: OAuth2Keys;
  /** The registered clients, in the order of `clientIds`. */
  clients: OAuthClient[];
  /** Token requests answered (issued or refused): the cache's work is counted here. */
  readonly tokenRequests: number;
  /** Tokens issued. */
  readonly tokensIssued: number;
  /** Every access token issued, to look for in outputs and logs. */
  readonly issued: readonly string[];
  /** Changes the life of tokens issued from now on. */
  setTtl(seconds: number): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const RESOURCE = 'urn:tranche:imap';

/**
 * Starts the token server. The login user goes in the token's `email` claim from a token
 * parameter `user` (oidc-provider passes extra parameters of a token request only in the body):
 * a per-mailbox token, as Google's delegation gives. Without it the token names no user.
 */
export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  let ttl = options.ttlSeconds ?? 3600;
  const alg = options.alg ?? 'HS256';
  const hmacKey = randomBytes(32);
  const kid = `rs-${randomBytes(4).toString('hex')}`;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clients: OAuthClient[] = (options.clientIds ?? [`client-${randomBytes(4).toString('hex')}`]).map(
    (clientId) => ({ clientId, clientSecret: randomBytes(24).toString('base64url') }),
  );
  const tlsFiles = options.tls
    ? { cert: await readFile(options.tls.cert), key: await readFile(options.tls.key) }
    : undefined;
  let tokenRequests = 0;
  let tokensIssued = 0;
  const issued: string[] = [];

  const server = tlsFiles ? https.createServer(tlsFiles) : http.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  const prefix = options.path ?? '';
  const issuer = `${tlsFiles ? 'https' : 'http'}://${HOST}:${port}${prefix}`;

  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method:
        options.clientAuth === 'post' ? 'client_secret_post' : 'client_secret_basic',
    })),
    jwks: { keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'imap https://outlook.office365.com/.default',
          audience: RESOURCE,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: alg === 'HS256' ? { alg: 'HS256', key: hmacKey } : { alg: 'RS256', kid } },
        }),
      },
    },
    ttl: { ClientCredentials: () => ttl },
    scopes: ['imap', 'https://outlook.office365.com/.default'],
    formats: {
      customizers: {
        // Dovecot 2.3.19 takes only typ JWT (not at+jwt) and wants the user in `email`.
        jwt(ctx, _token, jwt) {
          jwt.header = { typ: 'JWT' };
          const user = ctx.oidc.body?.user ?? options.defaultUser;
          if (typeof user === 'string') jwt.payload.email = user;
          if (options.refusedUsers) {
            jwt.payload.mail_access =
              typeof user === 'string' && options.refusedUsers.includes(user) ? 'no' : 'yes';
          }
        },
      },
    },
  });
  provider.on('grant.success', () => tokensIssued++);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    // The issuer lives under the prefix; oidc-provider names its endpoints from the request it saw
    // (without the prefix), so both forms reach it.
    const url = req.url ?? '/';
    req.url = (url.startsWith(`${prefix}/`) ? url.slice(prefix.length) : url) || '/';
    if (req.method === 'POST' && req.url.startsWith('/token')) {
      tokenRequests++;
      const chunks: Buffer[] = [];
      const keep = (chunk: unknown): void => {
        if (Buffer.isBuffer(chunk) || typeof chunk === 'string') chunks.push(Buffer.from(chunk));
      };
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk);
        return write(chunk, ...rest);
      }) as typeof res.write;
      const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => typeof res;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (typeof chunk !== 'function') keep(chunk);
        return end(chunk, ...rest);
      }) as typeof res.end;
      res.on('finish', () => {
        const token = /"access_token":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
        if (token) issued.push(token);
      });
    }
    void callback(req, res);
  });

  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    keys: {
      ...(alg === 'HS256'
        ? { hs256: hmacKey }
        : { rs256: { kid, publicKeyPem: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString() } }),
      ...(options.refusedUsers ? { activeClaim: { name: 'mail_access', value: 'yes' } } : {}),
    },
    clients,
    get tokenRequests() {
      return tokenRequests;
    },
    issued,
    get tokensIssued() {
      return tokensIssued;
    },
    setTtl(seconds) {
      ttl = seconds;
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
