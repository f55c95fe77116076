// The demo behind the README's first command: two throwaway Dovecot servers on loopback (a source
// with '/' folders, a target with '.' folders under 'INBOX.'), a generated mailbox, then the real
// CLI: a first sync, a delta after new mail and flag changes, and a deep verify.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { generateCorpus, loadCorpus } from '../dist/testing/corpus.js';
import { startDovecot } from '../dist/testing/dovecot.js';

const messages = Number(process.env.TRANCHE_DEMO_MESSAGES ?? 2000);
const work = mkdtempSync(join(tmpdir(), 'tranche-demo-'));
const say = (text) => console.log(`\n== ${text}`);

const source = await startDovecot();
const target = await startDovecot({ delimiter: '.', prefix: 'INBOX.' });
try {
  const alice = await source.addUser('alice');
  const aliceNew = await target.addUser('alice');
  say(`generating ${messages} messages for alice on the source (imap://127.0.0.1:${source.port})`);
  await loadCorpus(source, alice, generateCorpus({ seed: 2026, messages }));

  const env = {
    ...process.env,
    TRANCHE_SOURCE_PASSWORD: alice.password,
    TRANCHE_TARGET_PASSWORD: aliceNew.password,
  };
  const args = [
    '--source',
    source.url,
    '--source-user',
    'alice',
    '--target',
    target.url,
    '--target-user',
    'alice',
    '--allow-plaintext',
  ];
  const tranche = (title, ...rest) => {
    say(
      `${title}: tranche ${rest[0]} ${rest.slice(1).join(' ')}`.replace(/--source .*--allow-plaintext/, '…'),
    );
    const result = spawnSync(process.execPath, ['bin/tranche.js', ...rest], { env, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`tranche ${rest[0]} exited with ${result.status}`);
  };
  const state = join(work, 'state.sqlite');

  tranche('first pass (pre-stage)', 'sync', ...args, '--state', state);

  say('new mail arrives on the source and alice flags a few messages');
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: source.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'alice', pass: alice.password },
    logger: false,
  });
  await client.connect();
  await client.mailboxOpen('INBOX');
  await client.messageFlagsAdd('1:5', ['\\Flagged']);
  for (let i = 1; i <= 3; i++) {
    await client.append(
      'INBOX',
      `From: bob@example.org\r\nTo: alice@example.org\r\nSubject: after pre-stage ${i}\r\n\r\nHello again.\r\n`,
      [],
      new Date(),
    );
  }
  await client.logout();

  tranche('delta pass', 'sync', ...args, '--state', state);
  tranche('deep verify', 'verify', '--deep', ...args);
  say('done: the target holds every message byte-identical, with flags and dates, under INBOX.*');
} finally {
  await source.stop();
  await target.stop();
  rmSync(work, { recursive: true, force: true });
}
