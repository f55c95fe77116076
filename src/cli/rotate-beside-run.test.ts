import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { loadSecretKey } from '../state/secrets/secret-key.js';
import { retiredKeyFile } from '../state/secrets/key-files.js';
import { buildSampleProgramme } from '../testing/sample-programme.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { storeBackends } from '../testing/store-backends.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { EXIT } from './exit-codes.js';

/** Logins the runner sends through the proxy (imapflow's SASL PLAIN, as an admin on a user's behalf). */
function countLogins(proxy: TcpProxy): { readonly count: number } {
  const seen = { count: 0 };
  proxy.tap('up', (chunk) => {
    seen.count += chunk.toString('latin1').match(/ AUTHENTICATE PLAIN/gi)?.length ?? 0;
  });
  return seen;
}

/** Every sealed value in the store, by column, with the key id of its envelope. */
async function sealedKeyIds(location: string): Promise<string[]> {
  const db = await openStateStore(location);
  try {
    const endpoints = await db.selectFrom('endpoint').select(['admin_secret', 'token_secret']).execute();
    const mailboxes = await db.selectFrom('mailbox').select(['source_secret', 'target_secret']).execute();
    const values: (string | null)[] = [
      ...endpoints.flatMap((e) => [e.admin_secret, e.token_secret]),
      ...mailboxes.flatMap((m) => [m.source_secret, m.target_secret]),
    ];
    return values.filter((v): v is string => v !== null).map((v) => v.split(':')[1] ?? '?');
  } finally {
    await db.destroy();
  }
}

/** The ids of the passes (one per step run) recorded so far. */
async function passIds(location: string): Promise<Set<string>> {
  const db = await openStateStore(location);
  try {
    return new Set((await db.selectFrom('pass').select('id').execute()).map((p) => p.id));
  } finally {
    await db.destroy();
  }
}

const RUN_BOUND_MS = 120_000;

for (const [backend, location] of storeBackends()) {
  test(`on ${backend}: secrets rotate beside a running tranche run: the runner follows the new key, the programme ends done`, async (t) => {
    const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
    const db = backend === 'PostgreSQL' ? await location() : undefined;
    let proxy: TcpProxy | undefined;
    const sample = await buildSampleProgramme({
      dir,
      db,
      organisations: [{ code: 'ORG', name: 'Org', pilot: false, mailboxes: 3 }],
      messages: (i) => 16 + i,
      config: `
schedule:
  weekday: { mailboxes: 10 }
  weekend: { mailboxes: 10 }
  noticeDays: 1
lifecycle:
  prestageDays: 1
`,
      frontSource: async (source) => {
        proxy = await startTcpProxy('127.0.0.1', source.port);
        return proxy.url;
      },
    });
    const store = db ?? join(dir, 'state.sqlite');
    let killRun = (): void => undefined;
    let bound: NodeJS.Timeout | undefined;
    try {
      const source = proxy!;
      const outputs: string[] = [];
      const tranche = async (args: string[], expected: number = EXIT.ok): Promise<string> => {
        const result = await runCli([...args, '--programme', dir], { TRANCHE_LOG_LEVEL: 'info' });
        outputs.push(result.stdout, result.stderr);
        // Both streams in the message: `plan` says on stdout why it placed no mailbox (exit 1).
        assert.equal(result.status, expected, `tranche ${args.join(' ')}: ${result.stdout}${result.stderr}`);
        return result.stdout;
      };
      await tranche(['import', 'orgs', sample.organisationsCsv]);
      await tranche(['import', 'mailboxes', sample.mailboxesCsv]);
      await tranche(['discover']);
      await tranche(['plan', '--today', '2027-02-01']);
      const before = loadSecretKey(join(dir, 'secret.key'), {});

      // The run starts; the proxy holds the source the moment the first copy is under way, so the
      // rotation happens while a mailbox is mid-copy, whatever the machine's speed.
      const copying = new Promise<void>((resolve) =>
        source.onBytes('down', source.bytes.down + 40_000, () => {
          source.hold();
          resolve();
        }),
      );
      const run = runCli(
        ['run', '--clock-start', '2027-02-01', '--clock-speed', '3600', '--json', '--programme', dir],
        { TRANCHE_LOG_LEVEL: 'info' },
        (kill) => (killRun = kill),
      );
      const ended = run.then(() => 'the run ended before its first copy was under way');
      assert.equal(await Promise.race([copying.then(() => 'copying'), ended]), 'copying');

      const rotate = await runCli(['secrets', 'rotate', '--programme', dir]);
      outputs.push(rotate.stdout, rotate.stderr);
      assert.equal(rotate.status, EXIT.ok, rotate.stderr);
      assert.doesNotMatch(rotate.stderr, /database is locked/);
      const after = loadSecretKey(join(dir, 'secret.key'), {});
      assert.notEqual(after.id, before.id);
      assert.match(rotate.stdout, new RegExp(`^secret key rotated: ${before.id} -> ${after.id}, 2 secret`));
      // The previous key, retired to its own file; every stored secret now sealed with the new key.
      assert.equal(loadSecretKey(retiredKeyFile(join(dir, 'secret.key'), before.id), {}).id, before.id);
      assert.ok(!existsSync(join(dir, 'secret.key.next')));
      assert.deepEqual(await sealedKeyIds(store), [after.id, after.id]);

      // The runner goes on: each step it starts from here reads the endpoints again (run-step.ts),
      // so its logins open passwords sealed with the new key, the only ones left in the store.
      const stepsBefore = await passIds(store);
      const logins = countLogins(source);
      source.release();
      // Only a bound against hanging for ever (a runner that could not open the new secrets held
      // its mailboxes for minutes): the run needs a few seconds here.
      bound = setTimeout(killRun, RUN_BOUND_MS);
      const result = await run;
      assert.equal(
        result.signal,
        null,
        `the run did not end within ${RUN_BOUND_MS / 1000} s after the rotation`,
      );
      outputs.push(result.stdout, result.stderr);
      assert.equal(result.status, EXIT.ok, result.stderr);
      const totals = JSON.parse(result.stdout) as Record<string, unknown>;
      assert.equal(totals.ended, 'finished');
      assert.deepEqual([totals.failed, totals.retry, totals.interrupted], [0, 0, 0], result.stdout);
      assert.ok(logins.count > 0, 'the runner logged in to the source after the rotation');
      const stepsAfter = [...(await passIds(store))].filter((id) => !stepsBefore.has(id));
      assert.ok(stepsAfter.length >= 3, `${stepsAfter.length} steps started after the rotation`);
      t.diagnostic(`after the rotation: ${stepsAfter.length} steps, ${logins.count} source logins`);
      assert.doesNotMatch(result.stderr, /sealed with key|database is locked/);

      const status = JSON.parse(await tranche(['status', '--json'])) as { states: Record<string, number> };
      const states = Object.entries(status.states).filter(([, n]) => n > 0);
      assert.deepEqual(states, [['done', 3]], 'every mailbox done: none held, failed or stuck');
      for (const m of sample.mailboxes) {
        const differences = diffSnapshots(
          await snapshotMailbox(sample.source, m.source),
          await snapshotMailbox(sample.target, m.target),
        );
        assert.deepEqual(differences, [], m.address);
      }
      const audit = JSON.parse(await tranche(['audit', '--json'])) as { action: string; after: unknown }[];
      const rotation = audit.filter((e) => e.action === 'secrets.rotate');
      assert.deepEqual(
        rotation.map((e) => e.after),
        [{ from: before.id, to: after.id, resealed: 2 }],
      );

      // No secret in any output or log, nor in clear in any file of the programme.
      const secrets = [
        sample.source.masterPassword,
        sample.target.masterPassword,
        ...[before, after].flatMap((k) => [k.bytes.toString('base64'), k.bytes.toString('hex')]),
      ];
      for (const text of outputs) for (const secret of secrets) assert.ok(!text.includes(secret), text);
      for (const file of readdirSync(dir).filter((f) => !/^secret\.key|-admin\.password$/.test(f))) {
        const bytes = readFileSync(join(dir, file));
        for (const secret of secrets) assert.ok(!bytes.includes(secret), file);
      }
    } finally {
      clearTimeout(bound);
      killRun();
      await sample.stop();
      await proxy?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
