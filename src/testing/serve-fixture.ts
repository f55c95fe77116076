// Test fixture for tranche serve: a small programme written straight into a state store (two
// organisations, every state, a failure with the server's words, skipped items, passes, notices),
// and one token per role.
import type { Insertable, Kysely } from 'kysely';
import type { Database, MailboxTable } from '../state/schema.js';
import { insertEndpoints } from './state-rows.js';
import { createToken } from '../serve/auth/api-tokens.js';

/** The programme clock of the fixture's rows: Thursday 4 March 2027, noon. */
export const FIXTURE_NOW = new Date('2027-03-04T12:00:00.000Z');

type Mailbox = Partial<Insertable<MailboxTable>> & { address: string; organisation: string | null };

/** The mailboxes, by organisation: A has 5, B has 3, one has none. */
export const FIXTURE_MAILBOXES: Mailbox[] = [
  {
    address: 'ann@a.org',
    organisation: 'A',
    display_name: 'Ann Example',
    state: 'done',
    batch_day: '2027-03-01',
    told_day: '2027-03-01',
    done_at: '2027-03-01T19:00:00.000Z',
    last_pass_at: '2027-03-01T19:00:00.000Z',
    copied_messages: 120,
    copied_bytes: 1_200_000,
    size_bytes: 1_200_000,
  },
  {
    address: 'abe@a.org',
    organisation: 'A',
    state: 'done',
    batch_day: '2027-03-02',
    done_at: '2027-03-02T19:00:00.000Z',
    copied_messages: 80,
    copied_bytes: 800_000,
  },
  {
    address: 'amy@a.org',
    organisation: 'A',
    display_name: 'Amy Failed',
    state: 'failed',
    batch_day: '2027-03-03',
    told_day: '2027-03-03',
    failure_type: 'quota',
    failure_reason: 'Quota exceeded (mailbox for user is full)',
    last_pass_at: '2027-03-03T19:00:00.000Z',
    copied_messages: 40,
    copied_bytes: 400_000,
  },
  {
    address: 'ali@a.org',
    organisation: 'A',
    state: 'scheduled',
    batch_day: '2027-03-08',
    next_step: 'prestage',
    next_due_at: '2027-03-05T01:00:00.000Z',
  },
  {
    address: 'art@a.org',
    organisation: 'A',
    state: 'prestaged',
    batch_day: '2027-03-05',
    next_step: 'delta',
    next_due_at: '2027-03-04T01:00:00.000Z',
  },
  {
    address: 'bea@b.org',
    organisation: 'B',
    display_name: 'Bea Other',
    state: 'done',
    batch_day: '2027-03-02',
    done_at: '2027-03-02T20:00:00.000Z',
    copied_messages: 10,
    copied_bytes: 100_000,
  },
  {
    address: 'bob@b.org',
    organisation: 'B',
    state: 'failed',
    batch_day: '2027-03-02',
    failure_type: 'auth',
    failure_reason: 'AUTHENTICATE failed',
    stalled_ms: 120_000,
  },
  { address: 'ben@b.org', organisation: 'B', state: 'scheduled', batch_day: '2027-03-08' },
  { address: 'nobody@c.org', organisation: null, state: 'imported' },
];

/** One token of each kind, as the tests present them. */
export interface FixtureTokens {
  admin: string;
  orgA: string;
  helpdesk: string;
  metrics: string;
}

/** Writes the fixture's rows and makes its tokens. */
export async function seedServeFixture(db: Kysely<Database>): Promise<FixtureTokens> {
  await insertEndpoints(db, ['old', 'new']);
  await db
    .insertInto('organisation')
    .values([
      { code: 'A', name: 'Trust A', admin_contacts: 'it@a.org', pilot: 1, blackout_dates: '' },
      { code: 'B', name: 'Trust B', admin_contacts: 'it@b.org', pilot: 0, blackout_dates: '' },
    ])
    .execute();
  for (const m of FIXTURE_MAILBOXES)
    await db
      .insertInto('mailbox')
      .values({
        source_endpoint: 'old',
        source_user: m.address.split('@')[0]!,
        source_secret: 'sealed-source-secret',
        target_endpoint: 'new',
        target_user: m.address,
        notify_address: m.address,
        ...m,
      })
      .execute();
  const passes = [
    {
      id: 'p1',
      mailbox: 'ann@a.org',
      kind: 'final',
      started_at: '2027-03-01T18:00:00.000Z',
      finished_at: '2027-03-01T19:00:00.000Z',
      outcome: 'ok',
      messages: 120,
      bytes: 1_200_000,
    },
    {
      id: 'p2',
      mailbox: 'amy@a.org',
      kind: 'prestage',
      started_at: '2027-03-02T01:00:00.000Z',
      finished_at: '2027-03-02T02:00:00.000Z',
      outcome: 'partial',
      messages: 40,
      bytes: 400_000,
      skipped: 2,
    },
    {
      id: 'p3',
      mailbox: 'amy@a.org',
      kind: 'final',
      started_at: '2027-03-03T18:00:00.000Z',
      finished_at: '2027-03-03T19:00:00.000Z',
      outcome: 'failed',
      error_type: 'quota',
      error_reason: 'Quota exceeded (mailbox for user is full)',
    },
    {
      id: 'p4',
      mailbox: 'bob@b.org',
      kind: 'prestage',
      started_at: '2027-03-04T11:00:00.000Z',
      finished_at: '2027-03-04T11:30:00.000Z',
      outcome: 'failed',
      error_type: 'throttled',
      error_reason: 'Request is throttled',
    },
  ];
  for (const p of passes)
    await db
      .insertInto('pass')
      .values({ worker: 'w1', ...p })
      .execute();
  await db
    .insertInto('skipped_item')
    .values([
      {
        mailbox: 'amy@a.org',
        folder: 'INBOX',
        uid: 17,
        size: 60_000_000,
        reason: 'message too large for the target',
        recorded_at: '2027-03-02T02:00:00.000Z',
      },
      {
        mailbox: 'amy@a.org',
        folder: 'Sent',
        uid: 4,
        size: 2_000,
        reason: '=HYPERLINK("x") malformed header',
        recorded_at: '2027-03-02T02:00:00.000Z',
      },
    ])
    .execute();
  await db
    .insertInto('notice')
    .values([
      {
        subject: 'ann@a.org',
        kind: 'warning',
        day: '2027-03-01',
        organisation: 'A',
        state: 'sent',
        due_at: '2027-02-15T08:00:00.000Z',
        recipients: 'ann@a.org',
        sent_at: '2027-02-15T08:00:02.000Z',
        created_at: '2027-02-15T08:00:00.000Z',
      },
      {
        subject: 'ann@a.org',
        kind: 'success',
        day: '2027-03-01',
        organisation: 'A',
        state: 'sent',
        due_at: '2027-03-01T19:00:00.000Z',
        recipients: 'ann@a.org',
        sent_at: '2027-03-01T19:00:05.000Z',
        created_at: '2027-03-01T19:00:00.000Z',
      },
      {
        subject: 'amy@a.org',
        kind: 'failure',
        day: '2027-03-03',
        organisation: 'A',
        state: 'pending',
        due_at: '2027-03-03T19:00:00.000Z',
        created_at: '2027-03-03T19:00:00.000Z',
      },
    ])
    .execute();
  const make = async (role: 'admin' | 'org-admin' | 'helpdesk' | 'metrics', organisations: string[] = []) =>
    (await createToken(db, { role, organisations, name: `test ${role}` }, FIXTURE_NOW)).token;
  return {
    admin: await make('admin'),
    orgA: await make('org-admin', ['A']),
    helpdesk: await make('helpdesk'),
    metrics: await make('metrics'),
  };
}
