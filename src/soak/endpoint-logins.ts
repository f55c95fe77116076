import type { Kysely } from 'kysely';
import { TrancheError } from '../errors/tranche-error.js';
import { parseImapUrl, type ImapEndpoint } from '../mailstore/imap/endpoint.js';
import { loginFor } from '../programme/endpoints/mailbox-login.js';
import type { Database } from '../state/schema.js';
import type { SecretBox } from '../state/secrets/secret-box.js';
import type { SoakAccount } from './soak-accounts.js';

/** Whom a soak of a programme endpoint logs in as, and the live users it stands for. */
export interface EndpointSoakLogins {
  /** The endpoint's URL. */
  target: string;
  logins: ImapEndpoint[];
  /** The programme's mailboxes moving onto the endpoint (a multiple of 1 is their load). */
  programmeUsers: number;
}

/**
 * The logins of a soak of endpoint NAME: the test ACCOUNTS at the endpoint's address, or else its
 * admin on behalf of the first USERS of the programme's mailboxes moving there.
 */
export async function endpointSoakLogins(
  db: Kysely<Database>,
  box: SecretBox,
  name: string,
  accounts: SoakAccount[] | undefined,
  users: number | undefined,
): Promise<EndpointSoakLogins> {
  const endpoint = await db.selectFrom('endpoint').selectAll().where('name', '=', name).executeTakeFirst();
  if (!endpoint) throw new TrancheError('usage', `--endpoint: no endpoint named '${name}' in the programme`);
  const counted = await db
    .selectFrom('mailbox')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('target_endpoint', '=', name)
    .executeTakeFirstOrThrow();
  const programmeUsers = Number(counted.n);
  // A soak speaks IMAP with tranche's own client: the endpoint must be an imap:// or imaps:// one.
  const address = parseImapUrl(endpoint.url, `endpoint ${name}`);
  if (accounts) {
    const logins = accounts.slice(0, users ?? accounts.length).map((a) => ({
      ...address,
      user: a.user,
      password: a.password,
      admin: undefined,
      loginTemplate: undefined,
      insecure: endpoint.insecure === 1,
      allowPlaintext: endpoint.allow_plaintext === 1,
    }));
    return { target: endpoint.url, logins, programmeUsers };
  }
  if (!endpoint.admin)
    throw new TrancheError(
      'usage',
      `--endpoint ${name} has no admin: give --accounts FILE (test accounts), or add an admin to the endpoint`,
    );
  if (users === undefined)
    throw new TrancheError(
      'usage',
      `--users N is needed: how many of the programme's mailboxes on ${name} to act as`,
    );
  const rows = await db
    .selectFrom('mailbox')
    .select(['target_user', 'target_secret'])
    .where('target_endpoint', '=', name)
    .orderBy('address')
    .limit(users)
    .execute();
  if (rows.length < users)
    throw new TrancheError(
      'usage',
      `--users ${users}: only ${rows.length} of the programme's mailboxes move onto ${name}`,
    );
  const logins = rows.map((r) => {
    const { url: _url, ...login } = loginFor(endpoint, r.target_user, r.target_secret, box)!;
    return { ...address, ...login };
  });
  return { target: endpoint.url, logins, programmeUsers };
}
