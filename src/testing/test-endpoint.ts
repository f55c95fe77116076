import { DEFAULT_LIMITS, type EndpointInput } from '../programme/endpoints/endpoints.js';
import type { DovecotServer } from './dovecot.js';

/**
 * An endpoint for a test server at URL: the default limits, passwords allowed in clear (loopback).
 * With ADMIN, that server's master user logs in on each mailbox owner's behalf; without, user logins.
 */
export function testEndpoint(
  name: string,
  url: string,
  admin?: Pick<DovecotServer, 'masterUser' | 'masterPassword'>,
  overrides: Partial<EndpointInput> = {},
): EndpointInput {
  return {
    ...DEFAULT_LIMITS,
    insecure: false,
    allowPlaintext: true,
    loginTemplate: undefined,
    name,
    url,
    admin: admin?.masterUser,
    adminPassword: admin?.masterPassword,
    ...overrides,
  };
}
