import type { Selectable } from 'kysely';
import type { EndpointTable } from '../../state/schema.js';
import type { SecretBox } from '../../state/secrets/secret-box.js';

import { checkStoreUrl } from '../../mailstore/open-mail-store.js';
import type { StoreEndpoint } from '../../mailstore/store-login.js';

/**
 * The login for one side of a mailbox: the endpoint's admin on the user's behalf, or the user's own
 * password. Undefined when there is no password to log in with.
 */
export function loginFor(
  endpoint: Selectable<EndpointTable>,
  user: string,
  sealed: string | null,
  box: SecretBox,
): StoreEndpoint | undefined {
  const password = endpoint.admin ? endpoint.admin_secret : sealed;
  if (!password) return undefined;
  checkStoreUrl(endpoint.url, `endpoint ${endpoint.name}`);
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
