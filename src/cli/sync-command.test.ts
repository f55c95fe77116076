import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { startPostgres } from '../testing/postgres.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { cliArgs, rawClient, runCli, tempStatePath } from '../testing/sync-fixture.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';
import { EXIT } from './exit-codes.js';

const noStack = (text: string): void => assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');

describe('tranche sync and verify (CLI)', () => {
  let source: DovecotServer;
  let target: DovecotServer;

  before(async () => {
    // The target takes one APPEND per message (no MULTIAPPEND), so a kill mid-batch leaves part of
    // the batch stored and the re-run must find it by content. A MULTIAPPEND command is stored whole
    // or not at all; its kills are proven in copy/sync-without-literal-plus.test.ts.
    [source, target] = await Promise.all([startDovecot(), startDovecot({ multiappend: false })]);
  });
  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test('kill -9 at several points of a copy, then a re-run, leaves the target equal to the source', async (t) => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 21, messages: 600, bigAttachments: 1 }));
    const toSource = await startTcpProxy('127.0.0.1', source.port);
    const toTarget = await startTcpProxy('127.0.0.1', target.port);
    const state = tempStatePath();
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
    const args = [
      'sync',
      ...cliArgs({ url: toSource.url } as DovecotServer, su, { url: toTarget.url } as DovecotServer, tu),
      '--state',
      state,
      '--batch-messages',
      '150',
    ];
    try {
      // Mid-read of the first batch; mid-APPEND early; mid-APPEND later (thresholds past what earlier runs moved).
      const killPoints: ['up' | 'down', number][] = [
        ['down', 300_000],
        ['up', 1_500_000],
        ['up', 4_000_000],
      ];
      for (const [i, [direction, extra]] of killPoints.entries()) {
        const proxy = direction === 'down' ? toSource : toTarget;
        const last = i === killPoints.length - 1;
        const result = await runCli(args, env, (kill) => {
          if (!last) return proxy.onBytes(direction, proxy.bytes[direction] + extra, kill);
          // The last kill lands as the target confirms an APPEND (a MULTIAPPEND command: all its
          // messages) before tranche reads the answer: on the target, not in the checkpoint's map.
          const from = proxy.bytes.up + extra;
          proxy.tap('down', (chunk) => {
            if (proxy.bytes.up >= from && /OK \[APPENDUID/.test(chunk.toString('latin1'))) kill();
          });
        });
        assert.equal(
          result.signal,
          'SIGKILL',
          `killed at ${direction} +${extra}: ${result.stdout}${result.stderr}`,
        );
      }
      const final = await runCli([...args, '--json'], env);
      assert.equal(final.status, EXIT.ok, final.stderr);
      const report = JSON.parse(final.stdout) as { status: string; messagesMatched: number };
      assert.equal(report.status, 'done');
      t.diagnostic(`after the last kill: ${report.messagesMatched} messages found on the target by content`);
      assert.ok(
        report.messagesMatched > 0,
        'the last kill landed mid-batch and the batch was recovered by content',
      );
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)),
        [],
      );
    } finally {
      await toSource.close();
      await toTarget.close();
    }
  });

  test('admin logins: SASL PLAIN authzid, a login template, and a refused admin', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 22, messages: 20, folders: ['INBOX'] }));
    const dir = tempStatePath().replace(/state\.sqlite$/, '');
    const sourceMasterFile = join(dir, 'source-master');
    const targetMasterFile = join(dir, 'target-master');
    writeFileSync(sourceMasterFile, `${source.masterPassword}\n`);
    writeFileSync(targetMasterFile, `${target.masterPassword}\n`);
    const args = [
      'sync',
      ...cliArgs(source, su, target, tu),
      '--state',
      join(dir, 'state.sqlite'),
      '--source-admin',
      source.masterUser,
      '--source-password-file',
      sourceMasterFile,
      '--target-admin',
      target.masterUser,
      '--target-login-template',
      '{user}*{admin}',
      '--target-password-file',
      targetMasterFile,
    ];
    const ok = await runCli(args);
    assert.equal(ok.status, EXIT.ok, ok.stderr);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);

    writeFileSync(sourceMasterFile, 'not-the-master-password\n');
    const refused = await runCli(args);
    assert.equal(refused.status, EXIT.denied);
    assert.match(refused.stderr, /^tranche: source: login as .* on behalf of .* refused/);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(refused.stderr + refused.stdout, /not-the-master-password/);
    noStack(refused.stderr);
  });

  test('an admin login on a server without AUTH=PLAIN is refused, never done as the admin itself', async () => {
    const loginOnly = await startDovecot({ authMechanisms: 'login' });
    try {
      const su = await loginOnly.addUser();
      const tu = await target.addUser();
      const dir = tempStatePath().replace(/state\.sqlite$/, '');
      const masterFile = join(dir, 'master');
      writeFileSync(masterFile, loginOnly.masterPassword);
      const args = ['sync', ...cliArgs(loginOnly, su, target, tu), '--source-admin', loginOnly.masterUser];
      const result = await runCli(
        [...args, '--source-password-file', masterFile, '--state', join(dir, 's.sqlite')],
        {
          TRANCHE_TARGET_PASSWORD: tu.password,
        },
      );
      assert.equal(result.status, EXIT.denied, result.stderr);
      assert.match(result.stderr, /does not offer AUTH=PLAIN/);
      noStack(result.stderr);
      // The composed-login route still works on such a server.
      const templated = await runCli(
        [
          ...args,
          '--source-login-template',
          '{user}*{admin}',
          '--source-password-file',
          masterFile,
          '--state',
          join(dir, 't.sqlite'),
        ],
        { TRANCHE_TARGET_PASSWORD: tu.password },
      );
      assert.equal(templated.status, EXIT.ok, templated.stderr);
    } finally {
      await loginOnly.stop();
    }
  });

  test('TLS: certificates are verified; imaps:// and STARTTLS work with a trusted certificate or --insecure', async () => {
    const secure = await startDovecot({ tls: true });
    try {
      const su = await secure.addUser();
      await loadCorpus(secure, su, generateCorpus({ seed: 25, messages: 10, folders: ['INBOX'] }));
      const run = async (sourceUrl: string, extra: string[], env: Record<string, string> = {}) => {
        const tu = await secure.addUser();
        const args = ['sync', '--source', sourceUrl, '--source-user', su.user, '--target', secure.tlsUrl!];
        const result = await runCli(
          [...args, '--target-user', tu.user, '--state', tempStatePath(), ...extra],
          {
            TRANCHE_SOURCE_PASSWORD: su.password,
            TRANCHE_TARGET_PASSWORD: tu.password,
            ...env,
          },
        );
        return { result, tu };
      };
      const untrusted = await run(secure.tlsUrl!, []);
      assert.equal(untrusted.result.status, EXIT.unavailable, untrusted.result.stderr);
      assert.match(untrusted.result.stderr, /^tranche: source: .*(certificate|self[- ]signed)/i);
      noStack(untrusted.result.stderr);

      const insecure = await run(secure.tlsUrl!, ['--insecure']);
      assert.equal(insecure.result.status, EXIT.ok, insecure.result.stderr);

      // Verified for real: the certificate trusted through Node's CA list, STARTTLS on imap://, no --allow-plaintext.
      const trusted = await run(secure.url, [], { NODE_EXTRA_CA_CERTS: secure.certFile! });
      assert.equal(trusted.result.status, EXIT.ok, trusted.result.stderr);
      assert.deepEqual(
        diffSnapshots(await snapshotMailbox(secure, su), await snapshotMailbox(secure, trusted.tu)),
        [],
      );
    } finally {
      await secure.stop();
    }
  });

  test('bad input gets one line and a documented exit code, never a secret or a stack trace', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    const good = cliArgs(source, su, target, tu);
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
    const cases: { args: string[]; env?: Record<string, string>; code: number; words: RegExp }[] = [
      { args: ['sync', '--frobnicate'], code: EXIT.usage, words: /unknown option '--frobnicate'/ },
      {
        args: ['sync', ...good.map((a) => (a === source.url ? 'http://x' : a))],
        env,
        code: EXIT.usage,
        words: /scheme/,
      },
      {
        args: ['sync', ...good.map((a) => (a === source.url ? 'imap://u:p@x' : a))],
        env,
        code: EXIT.usage,
        words: /credentials/,
      },
      { args: ['sync', ...good], code: EXIT.usage, words: /no source password/ },
      {
        args: ['sync', ...good.map((a) => (a === target.url ? 'imap://127.0.0.1:1' : a))],
        env,
        code: EXIT.unavailable,
        words: /target: .*ECONNREFUSED/,
      },
      {
        args: ['sync', ...good],
        env: { ...env, TRANCHE_TARGET_PASSWORD: 'wrong-secret-123' },
        code: EXIT.denied,
        words: /target: /,
      },
      {
        args: ['sync', ...good.filter((a) => a !== '--allow-plaintext')],
        env,
        code: EXIT.denied,
        words: /in clear|STARTTLS/,
      },
      {
        args: ['sync', ...good, '--target-login-template', '{user}*{admin}'],
        env,
        code: EXIT.usage,
        words: /needs --target-admin/,
      },
    ];
    for (const c of cases) {
      const result = await runCli([...c.args, '--state', tempStatePath()], c.env);
      assert.equal(result.status, c.code, `${c.args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, c.words);
      assert.match(result.stderr, /^tranche: /);
      noStack(result.stderr);
      assert.doesNotMatch(result.stderr + result.stdout, /wrong-secret-123/);
    }
    const help = await runCli(['sync', '--help']);
    assert.equal(help.status, EXIT.ok);
    assert.match(help.stdout, /--propagate-deletes/);
  });

  test('verify finds no difference after a sync and names the one it finds after a change', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    await loadCorpus(source, su, generateCorpus({ seed: 23, messages: 40, folders: ['INBOX', 'Work/Q1'] }));
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
    const args = cliArgs(source, su, target, tu);
    const sync = await runCli(['sync', ...args, '--state', tempStatePath()], env);
    assert.equal(sync.status, EXIT.ok, sync.stderr);
    assert.match(sync.stdout, /tranche sync: done in/);
    const same = await runCli(['verify', '--deep', ...args], env);
    assert.equal(same.status, EXIT.ok, same.stdout + same.stderr);
    assert.match(same.stdout, /identical/);

    const client = await rawClient(target, tu);
    try {
      await client.mailboxOpen('Work/Q1');
      await client.messageFlagsAdd('1', ['$Changed']);
    } finally {
      await client.logout();
    }
    const differs = await runCli(['verify', '--deep', '--json', ...args], env);
    assert.equal(differs.status, EXIT.partial);
    const report = JSON.parse(differs.stdout) as {
      identical: boolean;
      folders: { source: string; differences: string[] }[];
    };
    assert.equal(report.identical, false);
    const work = report.folders.find((f) => f.source === 'Work/Q1');
    assert.ok(work && work.differences.some((d) => d.includes('$Changed')), JSON.stringify(work));
  });

  test('--map renames a folder with its children and --exclude leaves folders out', async () => {
    const su = await source.addUser();
    const tu = await target.addUser();
    const folders = ['INBOX', 'Old Projects', 'Old Projects/2019', 'Newsletters', 'Junk'];
    await loadCorpus(source, su, generateCorpus({ seed: 26, messages: 50, folders }));
    const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
    const args = ['sync', ...cliArgs(source, su, target, tu), '--state', tempStatePath(), '--json'];
    const flags = ['--map', 'Old Projects=Archive/Projects', '--exclude', 'News*', '--exclude', 'Junk'];
    const result = await runCli([...args, ...flags], env);
    assert.equal(result.status, EXIT.ok, result.stderr);
    const report = JSON.parse(result.stdout) as { excludedFolders: string[] };
    assert.deepEqual(report.excludedFolders.sort(), ['Junk', 'Newsletters']);
    const rename = (p: string): string => p.replace(/^Old Projects/, 'Archive/Projects');
    const sourceSnapshot = await snapshotMailbox(source, su, { excludeFolders: ['Newsletters', 'Junk'] });
    const targetSnapshot = await snapshotMailbox(target, tu);
    assert.deepEqual(diffSnapshots(sourceSnapshot, targetSnapshot, rename), []);
    assert.equal(targetSnapshot.has('Newsletters'), false);
    assert.ok((targetSnapshot.get('Archive/Projects/2019')?.length ?? 0) > 0);

    const collide = await runCli([...args, '--map', 'Newsletters=INBOX'], env);
    assert.equal(collide.status, EXIT.usage);
    assert.match(collide.stderr, /'INBOX' and 'Newsletters' would all land in 'INBOX'/);
  });

  test('checkpoints in PostgreSQL: --state postgres://… resumes like a SQLite file', async () => {
    const postgres = await startPostgres();
    try {
      const su = await source.addUser();
      const tu = await target.addUser();
      await loadCorpus(source, su, generateCorpus({ seed: 27, messages: 40, folders: ['INBOX', 'Work'] }));
      const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
      const args = [
        'sync',
        ...cliArgs(source, su, target, tu),
        '--state',
        await postgres.createDatabase(),
        '--json',
      ];
      const first = await runCli(args, env);
      assert.equal(first.status, EXIT.ok, first.stderr);
      assert.equal((JSON.parse(first.stdout) as { messagesCopied: number }).messagesCopied, 40);
      const again = await runCli(args, env);
      const report = JSON.parse(again.stdout) as { messagesCopied: number; messagesMatched: number };
      assert.deepEqual([report.messagesCopied, report.messagesMatched], [0, 0]);
    } finally {
      await postgres.stop();
    }
  });

  test('a refused message: exit 1, "done with 1 skipped item", listed in --json', async () => {
    const small = await startDovecot({ maxMessageSize: 500_000 });
    try {
      const su = await source.addUser();
      const tu = await small.addUser();
      const corpus = generateCorpus({ seed: 24, messages: 10, folders: ['INBOX'], bigAttachments: 0 });
      corpus.push({
        folder: 'INBOX',
        raw: Buffer.from(`Subject: big\r\n\r\n${'y'.repeat(600_000)}\r\n`),
        flags: [],
        internalDate: new Date('2020-01-01T00:00:00Z'),
      });
      await loadCorpus(source, su, corpus);
      const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
      const args = ['sync', ...cliArgs(source, su, small, tu), '--state', tempStatePath()];
      const text = await runCli(args, env);
      assert.equal(text.status, EXIT.partial, text.stderr);
      assert.match(text.stdout, /done with 1 skipped item/);
      assert.match(text.stdout, /INBOX UID 11 /);
      const json = await runCli([...args, '--json'], env);
      const report = JSON.parse(json.stdout) as {
        status: string;
        skipped: { uid: number; reason: string }[];
      };
      assert.equal(report.status, 'done-with-skipped');
      assert.equal(report.skipped[0]?.uid, 11);
    } finally {
      await small.stop();
    }
  });
});
