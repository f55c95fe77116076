import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import type { ConfidentialClientApplication, Configuration } from '@azure/msal-node';
import { TrancheError } from '../errors/tranche-error.js';
import { tokenError } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** Exchange Online's IMAP resource: the app needs IMAP.AccessAsApp on it. */
export const EXCHANGE_ONLINE_SCOPE = 'https://outlook.office365.com/.default';
/** Microsoft's global cloud; national clouds (and tests) give another. */
export const MICROSOFT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Application access to a Microsoft tenant: a client secret, or a certificate with its private key. */
export interface MicrosoftApp {
  tenant: string;
  clientId: string;
  /** A client secret, or the PEM file of a certificate and its private key. Never logged. */
  credential: { secret: string } | { certificatePem: string };
  scope: string;
  /** The login host, https://login.microsoftonline.com unless a national cloud (or a test) says otherwise. */
  authorityHost: string;
}

/** msal-node's certificate credential from one PEM holding the certificate and its private key. */
function certificateCredential(pem: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  let certificate: X509Certificate;
  let privateKey: string;
  try {
    certificate = new X509Certificate(pem);
    privateKey = createPrivateKey(pem).export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch {
    throw new TrancheError(
      'usage',
      'client certificate: the file must hold a PEM certificate and its private key (unencrypted)',
    );
  }
  return {
    thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
    privateKey,
    x5c: certificate.toString(),
  };
}

/** What msal-node threw, as a one-line token error: its code and the AADSTS number, never more. */
function msalError(source: string, error: unknown): TrancheError {
  const e = error as { errorCode?: string; errorMessage?: string; subError?: string };
  const code = (e.errorCode ?? 'msal-error').replace(/[^\w.-]/g, '');
  const aadsts = /AADSTS\d+/.exec(e.errorMessage ?? '')?.[0];
  const unreachable = /network|endpoints_resolution|openid_config|discovery/i.test(code);
  return tokenError(source, `${code}${aadsts ? ` ${aadsts}` : ''}`, unreachable ? 'unreachable' : 'refused');
}

/** `--*-provider microsoft`: client credentials through Microsoft's own library, one token for all mailboxes. */
export class MicrosoftTokenSource implements TokenSource {
  readonly id: string;
  readonly description: string;
  readonly perUser = false;
  readonly #auth: Configuration['auth'];
  readonly #oidc: boolean;
  #app: Promise<ConfidentialClientApplication> | undefined;
  readonly #scope: string;

  constructor(app: MicrosoftApp) {
    const authority = `${app.authorityHost.replace(/\/+$/, '')}/${app.tenant}`;
    this.description = `Microsoft tenant ${app.tenant}`;
    const secretPart = 'secret' in app.credential ? app.credential.secret : app.credential.certificatePem;
    this.id = `microsoft:${createHash('sha256')
      .update(JSON.stringify([authority, app.clientId, app.scope, secretPart]))
      .digest('hex')
      .slice(0, 16)}`;
    this.#scope = app.scope;
    const global = new URL(app.authorityHost).host === new URL(MICROSOFT_AUTHORITY_HOST).host;
    // Checked now (a bad certificate file is a usage error at once); msal-node itself is loaded when
    // a token is first wanted, so a process that never logs in to Microsoft never holds it (~10 MB).
    this.#auth = {
      clientId: app.clientId,
      authority,
      ...('secret' in app.credential
        ? { clientSecret: app.credential.secret }
        : { clientCertificate: certificateCredential(app.credential.certificatePem) }),
      // Another host (a national cloud, or a test authority) is trusted as named, not discovered.
      ...(global ? {} : { knownAuthorities: [new URL(app.authorityHost).host] }),
    };
    this.#oidc = !global;
  }

  /** The msal-node application, made once. */
  #application(): Promise<ConfidentialClientApplication> {
    this.#app ??= import('@azure/msal-node').then(
      ({ ConfidentialClientApplication, LogLevel, ProtocolMode }) =>
        new ConfidentialClientApplication({
          auth: this.#auth,
          system: {
            loggerOptions: {
              logLevel: LogLevel.Error,
              piiLoggingEnabled: false,
              loggerCallback: () => undefined,
            },
            ...(this.#oidc ? { protocolMode: ProtocolMode.OIDC } : {}),
          },
        }),
    );
    return this.#app;
  }

  async fetch(): Promise<AccessToken> {
    let result;
    try {
      // Our cache decides when to renew: msal's own would hand back the token we were told to replace.
      const application = await this.#application();
      result = await application.acquireTokenByClientCredential({ scopes: [this.#scope], skipCache: true });
    } catch (error) {
      throw msalError(this.description, error);
    }
    if (!result?.accessToken) throw tokenError(this.description, 'no-access-token', 'refused');
    return { value: result.accessToken, expiresAt: result.expiresOn?.getTime() };
  }
}
