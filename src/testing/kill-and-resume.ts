// Test fixture: `tranche sync` killed (SIGKILL) at chosen points of its writes to the target, then run
// to the end, for the exactly-once tests.
import assert from 'node:assert/strict';
import type { DovecotServer, DovecotUser } from './dovecot.js';
import { cliArgs, runCli, tempStatePath } from './sync-fixture.js';
import { startTcpProxy } from './tcp-proxy.js';

/** What the run after the kills reported. */
export interface ResumedRun {
  status: string;
  messagesMatched: number;
}

/**
 * Runs `tranche sync` into `target` through a proxy, kills it once `killAfterBytes[i]` more bytes
 * have gone to the target (asserting each run was killed), then runs it to the end (asserting it
 * exits 0) and returns its JSON report.
 */
export async function killAndResume(
  source: DovecotServer,
  sourceUser: DovecotUser,
  target: DovecotServer,
  targetUser: DovecotUser,
  options: { batchMessages: number; killAfterBytes: number[] },
): Promise<ResumedRun> {
  const toTarget = await startTcpProxy('127.0.0.1', target.port);
  const env = { TRANCHE_SOURCE_PASSWORD: sourceUser.password, TRANCHE_TARGET_PASSWORD: targetUser.password };
  const args = ['sync', ...cliArgs(source, sourceUser, { url: toTarget.url } as DovecotServer, targetUser)];
  args.push('--state', tempStatePath(), '--batch-messages', String(options.batchMessages));
  try {
    for (const extra of options.killAfterBytes) {
      const result = await runCli(args, env, (kill) =>
        toTarget.onBytes('up', toTarget.bytes.up + extra, kill),
      );
      assert.equal(result.signal, 'SIGKILL', `killed at +${extra}: ${result.stdout}${result.stderr}`);
    }
    const final = await runCli([...args, '--json'], env);
    assert.equal(final.status, 0, final.stderr);
    return JSON.parse(final.stdout) as ResumedRun;
  } finally {
    await toTarget.close();
  }
}
