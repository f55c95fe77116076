import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { isLoopbackHost, warnPlaintextLogin } from './plaintext-warning.js';

test('a password in clear to a server not given as loopback is warned of, once per server; loopback is not', () => {
  for (const host of ['localhost', '127.0.0.1', '127.5.6.7', '::1', '[::1]', 'LOCALHOST'])
    assert.ok(isLoopbackHost(host), host);
  for (const host of ['mail.example.org', '10.0.0.1', '128.0.0.1', '::2', 'localhost.example.org'])
    assert.ok(!isLoopbackHost(host), host);
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  assert.equal(warnPlaintextLogin('127.0.0.1', 143, logger), false);
  assert.equal(warnPlaintextLogin('mail.example.org', 143, logger), true);
  assert.equal(warnPlaintextLogin('mail.example.org', 143, logger), false);
  assert.equal(warnPlaintextLogin('mail.example.org', 1143, logger), true);
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0]!) as { level: number; server: string; msg: string };
  assert.deepEqual([first.level, first.server], [40, 'mail.example.org:143']);
  assert.match(first.msg, /password in clear/);
});
