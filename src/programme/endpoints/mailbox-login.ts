import type { Selectable } from 'kysely';
import { bearerFor, type OAuthMechanism, type TokenSourceSpec } from '../../credentials/token-source-spec.js';
import type { EndpointTable } from '../../state/schema.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';
import { checkStoreUrl } from '../../mailstore/open-mail-store.js';
import type { StoreEndpoint } from '../../mailstore/store-login.js';

/**
 * The login for one side of a mailbox: OAuth2 tokens from the endpoint's token source, the endpoint's
 * admin on the user's behalf, or the user's own password. Undefined when there is no password to log in with.
 */
export function loginFor(
  endpoint: Selectable<EndpointTable>,
  user: string,
  sealed: string | null,
  box: SecretBox,
): StoreEndpoint | undefined {
  checkStoreUrl(endpoint.url, `endpoint ${endpoint.name}`);
  if (endpoint.token_source !== null) {
    // OAuth2: the endpoint's token source logs in as each mailbox; no password of the user's.
    const setting = {
      spec: JSON.parse(endpoint.token_source) as TokenSourceSpec,
      secret: endpoint.token_secret === null ? undefined : box.open(endpoint.token_secret),
      mechanism: (endpoint.auth_mechanism ?? 'xoauth2') as OAuthMechanism,
    };
    return {
      url: endpoint.url,
      user,
      admin: undefined,
      loginTemplate: undefined,
      password: '',
      bearer: bearerFor(setting, user),
      insecure: endpoint.insecure === 1,
      allowPlaintext: endpoint.allow_plaintext === 1,
    };
  }
  const password = endpoint.admin ? endpoint.admin_secret : sealed;
  if (!password) return undefined;
  return {
    url: endpoint.url,
    user,
    admin: endpoint.admin ?? undefined,
    loginTemplate: endpoint.login_template ?? undefined,
    password: box.open(password),
    insecure: endpoint.insecure === 1,
    allowPlaintext: endpoint.allow_plaintext === 1,
  };
}
