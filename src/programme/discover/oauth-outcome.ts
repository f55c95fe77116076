import { TokenSourceError } from '../../credentials/token-error.js';
import { toTrancheError } from '../../errors/tranche-error.js';

/** How an OAuth2 login failed, in words a person can act on (discover records these). */
export type OAuthOutcome =
  /** The token endpoint refused the application: client not found, wrong secret or certificate, a failing token command. */
  | 'oauth-client-refused'
  /** The application lacks consent or permission for the scope (an admin must grant it). */
  | 'oauth-consent-missing'
  /** The token source does not know the mailbox's user (delegation to a user that is not there). */
  | 'oauth-user-not-found'
  /** A token was issued but the mail server refused it for this mailbox: no permission on it, or a token for another user. */
  | 'oauth-no-permission'
  /** The token endpoint did not answer. */
  | 'token-endpoint-unreachable';

/** Microsoft's numbers and OAuth2's codes by what a person does about them. */
const CONSENT = /consent|AADSTS65001|AADSTS50105|invalid_scope|AADSTS70011|access_denied/i;
const USER = /AADSTS50034|AADSTS500011|user.?not.?found|invalid_grant/i;

/** The OAuth2 kind of a failed login that used a token, or undefined when it was not one. */
export function oauthOutcomeOf(error: unknown, usedToken: boolean): OAuthOutcome | undefined {
  if (!usedToken) return undefined;
  if (error instanceof TokenSourceError) {
    if (error.type === 'unreachable') return 'token-endpoint-unreachable';
    if (CONSENT.test(error.code)) return 'oauth-consent-missing';
    if (USER.test(error.code)) return 'oauth-user-not-found';
    return 'oauth-client-refused';
  }
  return toTrancheError(error).type === 'auth' ? 'oauth-no-permission' : undefined;
}
