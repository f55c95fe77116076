import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Selectable } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import { withDefaults } from '../programme/config/config.js';
import type { MailboxTable } from '../state/schema.js';
import { SideError, unwrapSide } from './side-error.js';
import { stepFailed } from './step-outcome.js';

const lifecycle = withDefaults({ name: 'T', schedule: { weekday: { mailboxes: 1 } } }, '/nowhere').lifecycle;
const mailbox = { address: 'a@b.org', attempts: 0, batch_day: '2027-02-15' } as Selectable<MailboxTable>;
const now = new Date('2027-02-15T18:00:00.000Z');

test("a refused DAV login fails the step at once and is recorded as that side's DAV login, not its mail login", () => {
  const error = new SideError('target', new TrancheError('auth', 'dav.example.org refused the login (401)'), {
    dav: true,
  });
  const { error: typed, side, login } = unwrapSide(new TrancheError('auth', 'wrapped', { cause: error }));
  assert.equal(typed, error);
  const { outcome, row } = stepFailed(mailbox, typed, side, lifecycle, now, Math.random, { dav: login?.dav });
  assert.equal(outcome, 'failed');
  assert.equal(row.target_dav_login, 'bad-password');
  assert.equal(row.target_login, undefined);
  assert.equal(row.failure_reason, 'target DAV: dav.example.org refused the login (401)');
});

test('a DAV server that drops the connection or asks to slow down retries the step, as mail does', () => {
  const error = new SideError('source', new TrancheError('throttled', 'asked to slow down (503)'), {
    dav: true,
  });
  const { outcome, row } = stepFailed(mailbox, error, 'source', lifecycle, now, () => 0.5, { dav: true });
  assert.equal(outcome, 'retry');
  assert.equal(row.failure_type, 'throttled');
  assert.equal(row.source_dav_login, undefined);
  assert.match(row.failure_reason ?? '', /^source DAV: /);
});
