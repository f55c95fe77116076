// A killed run's last APPEND, whole in the server's input, committed by the server only after the
// next run has started (as under load): the next run waits for the target folder to settle before
// it matches the pending batch by content, so that batch is found, not sent twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCorpus, loadCorpus } from '../testing/corpus.js';
import type { DovecotServer } from '../testing/dovecot.js';
import { dovecotPair } from '../testing/dovecot-pair.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { cliArgs, runCli, tempStatePath } from '../testing/sync-fixture.js';
import { startTcpProxy } from '../testing/tcp-proxy.js';

const servers = dovecotPair();

test("a killed run's last APPEND committed after the next run started: found by content, no message twice", async () => {
  const { source, target } = servers;
  const su = await source.addUser();
  const tu = await target.addUser();
  const corpus = generateCorpus({ seed: 43, messages: 400, folders: ['INBOX'], bigAttachments: 0 });
  await loadCorpus(source, su, corpus);
  const bytes = corpus.reduce((n, m) => n + m.raw.length, 0);
  const env = { TRANCHE_SOURCE_PASSWORD: su.password, TRANCHE_TARGET_PASSWORD: tu.password };
  const state = tempStatePath();
  const args = (url: string): string[] => [
    'sync',
    ...cliArgs(source, su, { url } as DovecotServer, tu),
    '--state',
    state,
    '--batch-messages',
    '50',
    '--connections',
    '1',
  ];
  // One proxy for both runs (the checkpoint is kept per source and target address).
  const proxy = await startTcpProxy('127.0.0.1', target.port);
  try {
    // Run 1: half way in, the proxy stops passing run 1's bytes (kept, not lost); tranche writes the
    // rest of its batch's APPEND into it and waits for the answer; then it dies.
    const first = await runCli(args(proxy.url), env, (kill) =>
      proxy.onBytes('up', Math.round(bytes / 2), () => {
        proxy.holdOpen();
        setTimeout(kill, 500);
      }),
    );
    assert.equal(first.signal, 'SIGKILL', first.stdout + first.stderr);
    // Run 2, its connections not held: 300 ms after it selects the folder on the target, the server
    // gets the dead run's bytes (and their end) and commits that APPEND.
    let selected = false;
    proxy.tap('up', (chunk) => {
      if (selected || !/ SELECT /i.test(chunk.toString('latin1'))) return;
      selected = true;
      setTimeout(() => proxy.release(), 300);
    });
    const second = await runCli([...args(proxy.url), '--json'], env);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(selected, 'the resumed run selected the folder');
    const report = JSON.parse(second.stdout) as { status: string; messagesMatched: number };
    assert.equal(report.status, 'done');
    // The dead run's batch (50 messages) was found on the target by content, after its late commit.
    assert.equal(report.messagesMatched, 50);
    assert.deepEqual(diffSnapshots(await snapshotMailbox(source, su), await snapshotMailbox(target, tu)), []);
  } finally {
    await proxy.close();
  }
});
