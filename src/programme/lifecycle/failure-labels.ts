/** A failure type in plain words, for people reading a report (the type itself stays in JSON). */
const LABELS: Record<string, string> = {
  usage: 'configuration problem',
  unreachable: 'server unreachable',
  tls: 'TLS or certificate failure',
  auth: 'login refused',
  'account-disabled': 'account disabled',
  'auth-mechanism': 'login method not offered',
  'authz-refused': 'admin may not act for the user',
  'plaintext-refused': 'login would go in clear',
  'connection-lost': 'connection kept dropping',
  throttled: 'server kept throttling',
  server: 'server refused a command',
  'message-refused': 'a message was refused',
  quota: 'target mailbox full',
  'folder-mapping': "folders can't be mapped",
  state: 'state store error',
  verify: 'verify found differences',
  internal: 'internal error',
  unknown: 'no reason recorded',
};

/** The plain-words label of a failure type; an unknown type is shown as it is. */
export function failureLabel(type: string): string {
  return LABELS[type] ?? type;
}
