import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startClosedFlagsFront, type ClosedFlagsFront } from '../testing/closed-flags-front.js';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import { startDovecot, type DovecotServer } from '../testing/dovecot.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';

let source: DovecotServer;
let target: DovecotServer;
let front: ClosedFlagsFront;
before(async () => {
  [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  // Exchange Online's habits: no keywords of one's own, \Flagged dropped from APPEND.
  front = await startClosedFlagsFront('127.0.0.1', target.port, {
    closedFlags: true,
    dropOnAppend: ['\\Flagged'],
  });
});
after(async () => {
  await front?.close();
  await Promise.all([source?.stop(), target?.stop()]);
});

test('tranche sync --target-profile exchange-online: one line per folder for keywords not kept, flags set again; verify with the profile finds it identical', async () => {
  const su = await source.addUser();
  const tu = await target.addUser();
  const corpus = generateCorpus({ seed: 51, messages: 30, folders: ['INBOX'], bigAttachments: 0 }).map(
    (m, i) => ({ ...m, flags: [...(i % 2 ? ['\\Flagged'] : []), ...(i % 3 ? [] : ['$Label1'])] }),
  );
  await loadCorpus(source, su, corpus);
  const sides = [
    '--source',
    source.url,
    '--source-user',
    su.user,
    '--target',
    front.url,
    '--target-user',
    tu.user,
  ];
  const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
  const labelled = corpus.filter((m) => m.flags.includes('$Label1')).length;
  const flagged = corpus.filter((m) => m.flags.includes('\\Flagged')).length;

  const sync = await runCli(
    [
      'sync',
      ...sides,
      '--allow-plaintext',
      '--target-profile',
      'exchange-online',
      '--state',
      tempStatePath(),
    ],
    env,
  );
  assert.equal(sync.status, 0, sync.stderr);
  assert.match(sync.stdout, /^tranche sync: done in /m);
  assert.match(
    sync.stdout,
    new RegExp(`\\(and ${flagged} messages whose flags the target dropped from APPEND, set again\\)`),
  );
  assert.match(sync.stdout, /^ {2}altered: {2}1 \(copied, but stored changed by the target\)$/m);
  const lines = sync.stdout.split('\n').filter((l) => l.includes('keywords-not-kept'));
  assert.deepEqual(lines, [
    `    INBOX (folder) keywords-not-kept: ${labelled} messages copied without keywords the target does not keep: $Label1 (${labelled} messages); the target keeps no keywords of its own (no \\* in its PERMANENTFLAGS)`,
  ]);

  const withProfile = await runCli(
    ['verify', ...sides, '--allow-plaintext', '--deep', '--target-profile', 'exchange-online'],
    env,
  );
  assert.equal(withProfile.status, 0, withProfile.stdout);
  assert.match(withProfile.stdout, /identical/);
  // Without the profile, verify sees the keywords missing (it is told nothing of the closed set).
  const without = await runCli(['verify', ...sides, '--allow-plaintext', '--deep'], env);
  assert.equal(without.status, 1);
  assert.match(without.stdout, /\$Label1/);
});
