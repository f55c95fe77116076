import assert from 'node:assert/strict';
import { createHmac, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gaxios } from 'google-auth-library';
import { GMAIL_SCOPE, GoogleTokenSource } from '../credentials/google-token-source.js';
import { TokenSourceError } from '../credentials/token-error.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { startOAuthServer, type OAuthServer } from '../testing/oauth-server.js';
import { makeCertificate } from '../testing/self-signed-cert.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { cliArgs, runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

describe('the providers through their own libraries', { timeout: 180_000 }, () => {
  const mailbox = 'shared-mailbox@contoso.example';
  let source: DovecotServer;
  let target: DovecotServer;
  let microsoft: OAuthServer;
  let certFile: string;

  before(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tranche-providers-'));
    const tls = await makeCertificate(dir);
    certFile = tls.cert;
    // A Microsoft-style authority at https://127.0.0.1:PORT/<tenant>; the app token names one mailbox.
    microsoft = await startOAuthServer({
      tls,
      path: '/tenant-1',
      defaultUser: mailbox,
      alg: 'RS256',
      clientAuth: 'post',
    });
    [source, target] = await Promise.all([startDovecot(), startDovecot({ oauth2: microsoft.keys })]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    await microsoft?.stop();
  });

  test('--target-provider microsoft: msal-node against a local HTTPS authority, the copy byte-exact', async () => {
    const su = await source.addUser();
    await loadCorpus(
      source,
      su,
      generateCorpus({ seed: 144, messages: 30, folders: ['INBOX', 'Projects/2026'] }),
    );
    const [client] = microsoft.clients;
    const args = [
      'sync',
      ...cliArgs(source, su, target, { user: mailbox, password: '' }),
      '--state',
      tempStatePath(),
      '--target-provider',
      'microsoft',
      '--target-tenant',
      'tenant-1',
      '--target-client-id',
      client!.clientId,
      '--target-authority',
      microsoft.issuer.replace(/\/tenant-1$/, ''),
    ];
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, NODE_EXTRA_CA_CERTS: certFile };
    const wrong = await runCli(args, { ...env, TRANCHE_TARGET_CLIENT_SECRET: 'wrong-ms-secret' });
    assert.equal(wrong.status, EXIT.denied, wrong.stderr);
    assert.match(wrong.stderr, /^tranche: target: Microsoft tenant tenant-1: invalid_client/m);
    const before = microsoft.tokenRequests;
    const ok = await runCli(args, { ...env, TRANCHE_TARGET_CLIENT_SECRET: client!.clientSecret });
    assert.equal(ok.status, EXIT.ok, ok.stdout + ok.stderr);
    assert.equal(microsoft.tokenRequests - before, 1, 'one application token for the whole copy');
    assert.deepEqual(
      diffSnapshots(
        await snapshotMailbox(source, su),
        await snapshotMailbox(target, {
          user: target.masterUser,
          authzid: mailbox,
          password: target.masterPassword,
        }),
      ),
      [],
    );
    for (const text of [wrong.stdout, wrong.stderr, ok.stdout, ok.stderr]) {
      assert.ok(!text.includes(client!.clientSecret) && !text.includes('wrong-ms-secret'));
      for (const token of microsoft.issued) assert.ok(!text.includes(token));
    }
  });

  test("Google's service account through google-auth-library: its transporter (the library's seam) sends the signed assertion to a loopback token endpoint", async () => {
    // Google's token address is fixed in the library: the seam routes it here, and this endpoint
    // checks what Google checks (the assertion signed by the service account, its subject and scope).
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serviceAccount = JSON.stringify({
      type: 'service_account',
      client_email: 'tranche@project.iam.gserviceaccount.com',
      private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      private_key_id: 'key-1',
    });
    const hmac = randomBytes(32);
    const gmail = await startDovecot({ oauth2: { hs256: hmac } });
    const seen: { url: string; sub: string; scope: string }[] = [];
    const real = new gaxios.Gaxios();
    // A real Gaxios (the library hooks its interceptors on it) whose request is the seam.
    const transporter = new gaxios.Gaxios();
    Object.assign(transporter, {
      request: async (options: { url?: string | URL; data?: unknown }) => {
        const body = new URLSearchParams(String(options.data));
        const [header, payload, signature] = (body.get('assertion') ?? '').split('.');
        const verifier = createVerify('RSA-SHA256');
        verifier.update(`${header}.${payload}`);
        if (!verifier.verify(publicKey, Buffer.from(signature ?? '', 'base64url')))
          throw new Error('bad signature');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
          sub: string;
          scope: string;
        };
        seen.push({ url: String(options.url), sub: claims.sub, scope: claims.scope });
        if (claims.sub.startsWith('nobody')) {
          // What Google answers for a subject it does not know: through a real gaxios error.
          return real.request({ url: 'http://127.0.0.1:1/', retry: false });
        }
        const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
        const h = b64({ alg: 'HS256', typ: 'JWT' });
        const p = b64({ sub: claims.sub, email: claims.sub, exp: Math.floor(Date.now() / 1000) + 3600 });
        const token = `${h}.${p}.${createHmac('sha256', hmac).update(`${h}.${p}`).digest('base64url')}`;
        return {
          data: { access_token: token, expires_in: 3600, token_type: 'Bearer' },
          status: 200,
          headers: {},
        };
      },
    });
    try {
      const source = new GoogleTokenSource(serviceAccount, GMAIL_SCOPE, transporter);
      const token = await source.fetch('alice@example.com');
      assert.deepEqual(seen[0], {
        url: 'https://oauth2.googleapis.com/token',
        sub: 'alice@example.com',
        scope: GMAIL_SCOPE,
      });
      assert.ok(token.expiresAt !== undefined && token.expiresAt > Date.now());
      // The token logs in to the OAuth2-only Dovecot as that user.
      const { WireStore } = await import('../mailstore/imap/wire-store.js');
      const store = await WireStore.connect({
        host: '127.0.0.1',
        port: gmail.port,
        tls: 'starttls',
        user: 'alice@example.com',
        password: '',
        admin: undefined,
        loginTemplate: undefined,
        insecure: false,
        allowPlaintext: true,
        bearer: {
          mechanism: 'xoauth2',
          source: source.description,
          token: () => Promise.resolve({ accessToken: token.value, cached: false }),
        },
      });
      await store.close();
      await assert.rejects(source.fetch('nobody@example.com'), (e: unknown) => {
        assert.ok(e instanceof TokenSourceError);
        assert.match(e.message, /^Google service account tranche@project\.iam\.gserviceaccount\.com: /);
        assert.ok(!e.message.includes('PRIVATE KEY'));
        return true;
      });
    } finally {
      await gmail.stop();
    }
  });
});
