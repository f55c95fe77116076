import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { OutageLog } from './outage-log.js';

test('an outage seen at every poll is logged once per change of state, with its message (never [object Object])', () => {
  const lines: { level: number; msg: string; err?: { message: string }; failures?: number }[] = [];
  const logger = pino(
    { level: 'info', serializers: { err: pino.stdSerializers.err } },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    }),
  );
  const outage = new OutageLog(logger, 'job queue');
  outage.ok();
  // pg-boss emits plain objects; a refused connection repeats at every poll.
  for (let i = 0; i < 160; i++)
    outage.failed({ message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' });
  for (let i = 0; i < 20; i++) outage.failed(new Error('Connection terminated unexpectedly'));
  outage.ok();
  outage.ok();
  assert.deepEqual(
    lines.map((l) => l.level),
    [50, 50, 40],
  );
  assert.match(lines[0]!.err!.message, /^connect ECONNREFUSED 127\.0\.0\.1:5432/);
  assert.match(lines[1]!.err!.message, /^Connection terminated unexpectedly/);
  assert.equal(lines[2]!.failures, 180);
  assert.ok(!JSON.stringify(lines).includes('[object Object]'));
});
