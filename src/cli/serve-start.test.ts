import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

const BIN = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));

test('tranche serve starts without a deprecation warning, and answers a lookup of an address over 100 characters', async () => {
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  const made = await runCli(['token', 'create', '--role', 'helpdesk', '--programme', dir]);
  assert.equal(made.status, EXIT.ok, made.stderr);
  const token = made.stdout.trim();

  const serve = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--programme', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => serve.on('close', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      serve.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = / on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`tranche serve exited: ${stderr}`)));
    });
    const long = `${'l'.repeat(60)}@${'d'.repeat(60)}.${'e'.repeat(60)}.example.org`;
    const lookup = await fetch(`${url}/api/mailboxes/${encodeURIComponent(long)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    // Routed and looked up (no such mailbox here), not refused for its length (414).
    const body = await lookup.text();
    assert.equal(lookup.status, 404, body);
    assert.doesNotMatch(body, /MAX_PARAM_LENGTH/);
  } finally {
    serve.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
  assert.doesNotMatch(stderr, /Warning|FSTDEP/);
});
