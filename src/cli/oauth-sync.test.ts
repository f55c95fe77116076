import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { startOAuthServer, type OAuthServer } from '../testing/oauth-server.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';
import { startTokenExpiryFront } from '../testing/token-expiry-front.js';
import { EXIT } from './exit-codes.js';

/** Token lifetime in these tests: shorter than the copies, so tokens expire under them. */
const TTL_SECONDS = 3;

/**
 * A token command as a site would write one: client credentials at the token server, the mailbox in
 * `user`; each call appended to a log, so the test counts fetches. The secret comes from its own variable.
 */
async function writeTokenCommand(dir: string, tokenUrl: string, clientId: string): Promise<string> {
  const script = path.join(dir, 'fetch-token.mjs');
  await writeFile(
    script,
    `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(path.join(dir, 'calls'))}, process.env.TRANCHE_USER + '\\n');
const basic = Buffer.from(${JSON.stringify(clientId)} + ':' + process.env.SITE_SECRET).toString('base64');
const r = await fetch(${JSON.stringify(tokenUrl)}, { method: 'POST', headers: { authorization: 'Basic ' + basic },
  body: new URLSearchParams({ grant_type: 'client_credentials', user: process.env.TRANCHE_USER }) });
const body = await r.json();
if (!body.access_token) process.exit(3);
process.stdout.write(JSON.stringify({ access_token: body.access_token, expires_in: body.expires_in }));
`,
  );
  return `${JSON.stringify(process.execPath)} ${script}`;
}

/** The source and target flags of sync, the target logging in with a token. */
function syncArgs(
  sourceUrl: string,
  su: DovecotUser,
  targetUrl: string,
  targetUser: string,
  state: string,
): string[] {
  return [
    'sync',
    '--source',
    sourceUrl,
    '--source-user',
    su.user,
    '--target',
    targetUrl,
    '--target-user',
    targetUser,
    '--allow-plaintext',
    '--state',
    state,
    '--connections',
    '1',
    '--batch-messages',
    '40',
  ];
}

describe('OAuth2 logins into an OAuth2-only Dovecot', { timeout: 300_000 }, () => {
  let source: DovecotServer;
  const oauth: Record<'HS256' | 'RS256', OAuthServer> = {} as never;
  const target: Record<'HS256' | 'RS256', DovecotServer> = {} as never;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tranche-oauth-'));
    [oauth.HS256, oauth.RS256] = await Promise.all([
      startOAuthServer({ ttlSeconds: TTL_SECONDS, alg: 'HS256' }),
      startOAuthServer({ ttlSeconds: TTL_SECONDS, alg: 'RS256' }),
    ]);
    [source, target.HS256, target.RS256] = await Promise.all([
      startDovecot(),
      startDovecot({ oauth2: oauth.HS256.keys }),
      startDovecot({ oauth2: oauth.RS256.keys }),
    ]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target.HS256?.stop(), target.RS256?.stop()]);
    await Promise.all([oauth.HS256?.stop(), oauth.RS256?.stop()]);
  });

  const master = (server: DovecotServer, user: string) => ({
    user: server.masterUser,
    authzid: user,
    password: server.masterPassword,
  });

  test('a token command (HS256, XOAUTH2): the session dropped with AccessTokenExpired mid-APPEND, a fresh token, the copy byte-exact', async () => {
    const su = await source.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 141, messages: 160, bigAttachments: 1 }));
    const user = `cmd-${su.user}@example.org`;
    const [client] = oauth.HS256.clients;
    const command = await writeTokenCommand(dir, oauth.HS256.tokenUrl, client!.clientId);
    const front = await startTokenExpiryFront('127.0.0.1', target.HS256.port);
    try {
      // Mid-APPEND of the big message: the front holds the session until the token is dead, then drops it.
      front.expireAfter(1_500_000, TTL_SECONDS * 1000 + 500);
      const args = [
        ...syncArgs(source.url, su, front.url, user, tempStatePath()),
        '--target-token-command',
        command,
        '--json',
      ];
      const result = await runCli(args, {
        TRANCHE_SOURCE_PASSWORD: su.password,
        SITE_SECRET: client!.clientSecret,
      });
      assert.equal(result.status, EXIT.ok, result.stdout + result.stderr);
      assert.equal(front.expired, 1, 'the session was ended by the expiry BYE');
      assert.ok(front.connections >= 2, 'reconnected after the BYE');
      const calls = (await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
      assert.ok(calls.length >= 2, `a fresh token after the expiry (${calls.length} fetches)`);
      assert.ok(
        calls.every((c) => c === user),
        'TRANCHE_USER is the login user',
      );
      assert.deepEqual(
        diffSnapshots(
          await snapshotMailbox(source, su),
          await snapshotMailbox(target.HS256, master(target.HS256, user)),
        ),
        [],
      );
    } finally {
      await front.close();
    }
  });

  test('client credentials (RS256, OAUTHBEARER): killed with SIGKILL mid-copy, run again after the token expired: no duplicate', async () => {
    const su = await source.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 142, messages: 300, bigAttachments: 1 }));
    const user = `cc-${su.user}@example.org`;
    const [client] = oauth.RS256.clients;
    const proxy = await startTcpProxy('127.0.0.1', target.RS256.port);
    const state = tempStatePath();
    const args = [
      ...syncArgs(source.url, su, proxy.url, user, state),
      '--target-token-url',
      oauth.RS256.tokenUrl,
      '--target-client-id',
      client!.clientId,
      '--target-token-param',
      'user={user}',
      '--target-auth',
      'oauthbearer',
    ];
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_CLIENT_SECRET: client!.clientSecret };
    try {
      const requestsBefore = oauth.RS256.tokenRequests;
      const killed = await runCli(args, env, (kill) => proxy.onBytes('up', 2_000_000, kill));
      assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
      assert.equal(oauth.RS256.tokenRequests - requestsBefore, 1, 'one token for the whole first run');
      await sleep(TTL_SECONDS * 1000 + 500);
      const again = await runCli([...args, '--json'], env);
      assert.equal(again.status, EXIT.ok, again.stdout + again.stderr);
      const report = JSON.parse(again.stdout) as { status: string; messagesMatched: number };
      assert.equal(report.status, 'done');
      assert.ok(oauth.RS256.tokenRequests - requestsBefore >= 2, 'the re-run fetched a fresh token');
      assert.deepEqual(
        diffSnapshots(
          await snapshotMailbox(source, su),
          await snapshotMailbox(target.RS256, master(target.RS256, user)),
        ),
        [],
      );
    } finally {
      await proxy.close();
    }
  });
});
