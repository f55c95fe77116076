import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startOAuthServer, type OAuthServer } from '../testing/oauth-server.js';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';

/** Mailboxes in the programme; TRANCHE_OAUTH_BENCH_MAILBOXES=100 makes it the benchmark of the token cache. */
const MAILBOXES = Number(process.env.TRANCHE_OAUTH_BENCH_MAILBOXES ?? 6);
/** The mailbox whose tokens the target refuses (no permission on it). */
const REFUSED = 'org-002';

let oauth: OAuthServer;
let sample: SampleProgramme;
let dir: string;
before(async () => {
  dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  oauth = await startOAuthServer({ ttlSeconds: 3600, refusedUsers: [REFUSED] });
  const [client] = oauth.clients;
  sample = await buildSampleProgramme({
    dir,
    organisations: [{ code: 'ORG', name: 'Org', pilot: true, mailboxes: MAILBOXES }],
    messages: (i) => 6 + (i % 5),
    parallel: 8,
    config: `
schedule:
  weekday: { mailboxes: ${MAILBOXES} }
  weekend: { mailboxes: 0 }
  noticeDays: 14
lifecycle:
  prestageDays: 1
`,
    oauthTarget: {
      keys: oauth.keys,
      flags: ['--token-url', oauth.tokenUrl, '--client-id', client!.clientId, '--token-param', 'user={user}'],
      env: { TRANCHE_ENDPOINT_CLIENT_SECRET: client!.clientSecret, TRANCHE_LOG_LEVEL: 'debug' },
    },
  });
});
after(async () => {
  await sample?.stop();
  await oauth?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Logins the target Dovecot saw succeed, from its log. */
function targetLogins(): number {
  return (
    readFileSync(join(sample.target.dir, 'dovecot.log'), 'utf8').match(/imap-login: (Info: )?Login: user=/g)
      ?.length ?? 0
  );
}

test('a programme whose target endpoint uses client credentials: import, discover, plan, run to done, identical; a refused token named', async (t) => {
  const outputs: string[] = [];
  const run = async (args: string[], allowed = [0]): Promise<string> => {
    const out = await sample.trancheAsync(args, allowed);
    outputs.push(out);
    return out;
  };
  const listed = JSON.parse(await run(['endpoint', 'list', '--json'])) as {
    name: string;
    tokenSource?: string;
  }[];
  assert.equal(listed.find((e) => e.name === 'new')?.tokenSource, 'client-credentials');
  await run(['import', 'orgs', sample.organisationsCsv]);
  await run(['import', 'mailboxes', sample.mailboxesCsv]);
  const requestsBefore = oauth.tokenRequests;
  const discovered = JSON.parse(await run(['discover', '--json'])) as { target: Record<string, number> };
  assert.equal(discovered.target.ok, MAILBOXES - 1);
  assert.equal(discovered.target['oauth-no-permission'], 1);
  const discoverFetches = oauth.tokenRequests - requestsBefore;
  const report = await run(['discover', '--report'], [0, 1]);
  const refused = sample.mailboxes.find((m) => m.target.user === REFUSED)!;
  assert.match(report, new RegExp(`${refused.address}.*target login: oauth-no-permission`));

  const plan = JSON.parse(await run(['plan', '--today', '2027-02-01', '--json'], [0, 1])) as {
    placed: number;
    unplaced: number;
  };
  assert.equal(plan.placed, MAILBOXES - 1);
  assert.equal(plan.unplaced, 1);
  const loginsBefore = targetLogins();
  const runFrom = oauth.tokenRequests;
  const totals = JSON.parse(
    await run(['run', '--clock-start', '2027-02-01', '--clock-speed', '3600', '--json']),
  ) as { ended: string; failed: number };
  assert.equal(totals.ended, 'finished');
  assert.equal(totals.failed, 0);
  const runFetches = oauth.tokenRequests - runFrom;
  const runLogins = targetLogins() - loginsBefore;
  const status = JSON.parse(await run(['status', '--json'])) as { states: Record<string, number> };
  assert.equal(status.states.done, MAILBOXES - 1);

  for (const m of sample.mailboxes) {
    if (m === refused) continue;
    const differences = diffSnapshots(
      await snapshotMailbox(sample.source, m.source),
      await snapshotMailbox(sample.target, {
        user: sample.target.masterUser,
        authzid: m.target.user,
        password: sample.target.masterPassword,
      }),
    );
    assert.deepEqual(differences, [], m.address);
  }
  // The cache at work: one token per mailbox for discover and one for the whole run, however many logins.
  const placed = MAILBOXES - 1;
  assert.equal(discoverFetches, MAILBOXES);
  assert.equal(runFetches, placed);
  assert.ok(runLogins > runFetches, `${runLogins} logins on ${runFetches} tokens`);
  t.diagnostic(
    `token fetches per mailbox over a ${MAILBOXES}-mailbox run: ${(runFetches / placed).toFixed(2)} (${runFetches} fetches for ${runLogins} target logins, ${(runLogins / placed).toFixed(1)} logins per mailbox); discover: ${(discoverFetches / MAILBOXES).toFixed(2)}`,
  );
  for (const text of outputs) {
    assert.ok(!text.includes(oauth.clients[0]!.clientSecret), 'no client secret in any output');
    for (const token of oauth.issued) assert.ok(!text.includes(token), 'no token in any output');
  }
});
