import type { Selectable } from 'kysely';
import type { EndpointTable } from '../state/schema.js';

/** The settings an operator changes (`tranche endpoint set`); not the state kept beside them. */
const SETTINGS = [
  'url',
  'insecure',
  'allow_plaintext',
  'admin',
  'login_template',
  'max_connections',
  'max_mailboxes',
  'bytes_per_hour',
  'max_message_size',
  'bytes_per_mailbox_per_day',
  'latency_threshold_ms',
  'auth_mechanism',
  'profile',
  'dav_url',
] as const;

/**
 * What changed between two reads of an endpoint row, for the log: `max_mailboxes 4 → 8`, and
 * `admin password` alone for a new password (never its value).
 */
export function endpointChanges(
  before: Selectable<EndpointTable>,
  after: Selectable<EndpointTable>,
): string[] {
  const changes = SETTINGS.filter((s) => String(before[s]) !== String(after[s])).map(
    (s) => `${s} ${String(before[s] ?? 'none')} → ${String(after[s] ?? 'none')}`,
  );
  if (before.admin_secret !== after.admin_secret) changes.push('admin password');
  if (before.token_source !== after.token_source || before.token_secret !== after.token_secret)
    changes.push('token source');
  return changes;
}
