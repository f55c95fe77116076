import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from '../testing/dovecot.js';
import { startOAuthServer, type OAuthServer } from '../testing/oauth-server.js';
import { cliArgs, runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe(
  'bad OAuth2 input: one line naming the token source and its error code, never a secret',
  { timeout: 120_000 },
  () => {
    let oauth: OAuthServer;
    let source: DovecotServer;
    let target: DovecotServer;
    let su: DovecotUser;
    let dir: string;
    const outputs: string[] = [];
    /** Tokens a token command printed, kept aside by the command for this test's grep. */
    let printedTokens: string;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'tranche-oauth-bad-'));
      oauth = await startOAuthServer();
      [source, target] = await Promise.all([startDovecot(), startDovecot({ oauth2: oauth.keys })]);
      su = await source.addUser();
      // A folder the target lacks: the sync that copies logs its creation (a log line to grep).
      await loadCorpus(
        source,
        su,
        generateCorpus({ seed: 143, messages: 12, folders: ['INBOX', 'Projects/2026'] }),
      );
      printedTokens = path.join(dir, 'printed');
      await writeFile(printedTokens, '');
    });
    after(async () => {
      await Promise.all([source?.stop(), target?.stop()]);
      await oauth?.stop();
    });

    /** `tranche verify` to the OAuth2-only target, logs at trace level, with the target's token flags. */
    const verify = async (flags: string[], env: Record<string, string> = {}) => {
      const result = await runCli(
        ['verify', ...cliArgs(source, su, target, { user: 'mailbox@example.org', password: '' }), ...flags],
        { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_LOG_LEVEL: 'trace', ...env },
      );
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const clientFlags = (params: string[] = ['user={user}'], url = oauth.tokenUrl): string[] => [
      '--target-token-url',
      url,
      '--target-client-id',
      oauth.clients[0]!.clientId,
      ...params.flatMap((p) => ['--target-token-param', p]),
    ];

    /** The one line of the error on stderr (log lines are JSON and start with '{'). */
    const errorLines = (stderr: string): string[] =>
      stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));

    test('the right secret works (so the refusals below are the inputs, not the set-up)', async () => {
      const ok = await verify(clientFlags(), {
        TRANCHE_TARGET_CLIENT_SECRET: oauth.clients[0]!.clientSecret,
      });
      assert.notEqual(ok.status, EXIT.denied, ok.stderr);
      assert.notEqual(ok.status, EXIT.unavailable, ok.stderr);
    });

    test('a wrong client secret: exit 77, the token endpoint and invalid_client', async () => {
      const result = await verify(clientFlags(), { TRANCHE_TARGET_CLIENT_SECRET: 'wrong-secret-5e1f' });
      assert.equal(result.status, EXIT.denied, result.stderr);
      const lines = errorLines(result.stderr);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, new RegExp(`token endpoint ${oauth.tokenUrl}: invalid_client \\(HTTP 401\\)`));
    });

    test('a token command that fails, or prints nothing: exit 77, the token command and its code', async () => {
      for (const [command, code] of [
        ['echo oops >&2; exit 3', 'exit-status-3'],
        ['true', 'printed-nothing'],
        ['echo \'{"expires_in": 60}\'', 'no-access-token'],
      ] as const) {
        const result = await verify(['--target-token-command', command]);
        assert.equal(result.status, EXIT.denied, result.stderr);
        const lines = errorLines(result.stderr);
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0]!, new RegExp(`token command: ${code}`));
        assert.ok(!result.stderr.includes('oops'), "the command's own stderr is not shown");
      }
    });

    test('a token for another user: exit 77, the server refused the token', async () => {
      const [client] = oauth.clients;
      const script = path.join(dir, 'other-user-token.mjs');
      await writeFile(
        script,
        `import { appendFileSync } from 'node:fs';
const basic = Buffer.from(${JSON.stringify(client!.clientId)} + ':' + process.env.SITE_SECRET).toString('base64');
const r = await fetch(${JSON.stringify(oauth.tokenUrl)}, { method: 'POST', headers: { authorization: 'Basic ' + basic },
  body: new URLSearchParams({ grant_type: 'client_credentials', user: 'someone-else@example.org' }) });
const token = (await r.json()).access_token;
appendFileSync(${JSON.stringify(printedTokens)}, token + '\\n');
process.stdout.write(token);
`,
      );
      const command = `${JSON.stringify(process.execPath)} ${script}`;
      const result = await verify(['--target-token-command', command, '--target-auth', 'oauthbearer'], {
        SITE_SECRET: client!.clientSecret,
      });
      assert.equal(result.status, EXIT.denied, result.stderr);
      const lines = errorLines(result.stderr);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, /refused the token from token command .*status invalid_token/);
    });

    test('an unreachable token endpoint: exit 69, the token endpoint and ECONNREFUSED', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/token`;
      const result = await verify(clientFlags(['user={user}'], url), { TRANCHE_TARGET_CLIENT_SECRET: 'x' });
      assert.equal(result.status, EXIT.unavailable, result.stderr);
      const lines = errorLines(result.stderr);
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, new RegExp(`token endpoint ${url}: ECONNREFUSED`));
    });

    test('a sync that copies, a sync with a wrong secret; then no output or log line holds a secret or a token', async () => {
      const sync = (secret: string) =>
        runCli(
          [
            'sync',
            ...cliArgs(source, su, target, { user: 'mailbox@example.org', password: '' }),
            '--state',
            tempStatePath(),
            ...clientFlags(),
          ],
          {
            TRANCHE_SOURCE_PASSWORD: su.password,
            TRANCHE_TARGET_CLIENT_SECRET: secret,
            TRANCHE_LOG_LEVEL: 'trace',
          },
        );
      const copied = await sync(oauth.clients[0]!.clientSecret);
      outputs.push(copied.stdout, copied.stderr);
      assert.equal(copied.status, EXIT.ok, copied.stderr);
      const refused = await sync('wrong-secret-5e1f');
      outputs.push(refused.stdout, refused.stderr);
      assert.equal(refused.status, EXIT.denied, refused.stderr);
      const tokens = [
        ...oauth.issued,
        ...(await readFile(printedTokens, 'utf8')).split('\n').filter(Boolean),
      ];
      assert.ok(tokens.length >= 2, 'tokens were issued, so there was something to leak');
      const secrets = [oauth.clients[0]!.clientSecret, 'wrong-secret-5e1f', su.password, ...tokens];
      const everything = outputs.join('\n');
      assert.ok(
        /"level"/.test(everything),
        `log lines were written and are part of the grep: ${everything.slice(0, 400)}`,
      );
      for (const secret of secrets)
        assert.ok(!everything.includes(secret), 'a secret or token in an output or log');
    });
  },
);
