import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Selectable } from 'kysely';
import type { EndpointTable } from '../state/schema.js';
import { endpointChanges } from './endpoint-changes.js';

const row: Selectable<EndpointTable> = {
  name: 'new',
  url: 'imaps://new.example.org',
  insecure: 0,
  allow_plaintext: 0,
  admin: 'master',
  login_template: null,
  admin_secret: 'sealed-1',
  max_connections: 10,
  max_mailboxes: 4,
  bytes_per_hour: null,
  bytes_per_mailbox_per_day: null,
  max_message_size: null,
  latency_threshold_ms: 2000,
  concurrency: 2,
  concurrency_at: '2027-01-04T00:00:00.000Z',
  budget_tokens: null,
  budget_at: null,
  pause_reason: null,
  pause_now: 0,

  token_source: null,
  token_secret: null,
  auth_mechanism: null,
  profile: null,
  dav_url: null,
  created_at: '2027-01-01T00:00:00.000Z',
};

test('endpointChanges names the settings changed, with old and new values, and never a secret', () => {
  assert.deepEqual(endpointChanges(row, { ...row }), []);
  // The state kept beside the limits moves all the time: not a change of settings.
  assert.deepEqual(endpointChanges(row, { ...row, concurrency: 1, budget_tokens: 5 }), []);
  const changes = endpointChanges(row, {
    ...row,
    max_mailboxes: 8,
    bytes_per_hour: '1000000',
    admin_secret: 'sealed-2',
  });
  assert.deepEqual(changes, ['max_mailboxes 4 → 8', 'bytes_per_hour none → 1000000', 'admin password']);
  assert.ok(!changes.join(' ').includes('sealed'));
  // PostgreSQL returns bigints as strings: the same number is no change.
  assert.deepEqual(endpointChanges({ ...row, bytes_per_hour: 5 }, { ...row, bytes_per_hour: '5' }), []);
});
