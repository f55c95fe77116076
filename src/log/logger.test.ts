import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LazyLogger } from './lazy-logger.js';
import { createLogger, silentLogger, type Logger } from './logger.js';

/** A logger writing into an array, each line parsed. */
function capture(level: string): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, {
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

test('lines at or above the level are written as pino writes them: bindings, err with its cause, secrets and bodies redacted', () => {
  const { logger, lines } = capture('info');
  logger.debug({ x: 1 }, 'below the level');
  const child = logger.child({ mailbox: 'pat@example.org' }).child({ folder: 'INBOX' });
  child.info({ password: 'hunter2', body: 'Dear Pat', n: 3 }, 'copied');
  child.warn('a message alone');
  logger.error({ err: new Error('outer', { cause: new Error('inner') }) }, 'failed');
  assert.equal(lines.length, 3);
  assert.deepEqual(
    [lines[0]!.level, lines[0]!.app, lines[0]!.mailbox, lines[0]!.folder, lines[0]!.n, lines[0]!.msg],
    [30, 'tranche', 'pat@example.org', 'INBOX', 3, 'copied'],
  );
  assert.equal(lines[0]!.password, '[redacted]');
  assert.equal(lines[0]!.body, '[redacted]');
  assert.deepEqual([lines[1]!.level, lines[1]!.msg, lines[1]!.folder], [40, 'a message alone', 'INBOX']);
  const err = lines[2]!.err as { message: string; cause: { message: string } };
  assert.deepEqual([err.message, err.cause.message], ['outer', 'inner']);
  assert.ok(!JSON.stringify(lines).includes('hunter2'));
});

test('an unknown level is refused with the names of the levels', () => {
  assert.throws(
    () => createLogger('loud'),
    /unknown log level "loud".*trace, debug, info, warn, error, fatal or silent/,
  );
});

test('the real logger is made once, on the first line at the level, and shared by children', () => {
  let made = 0;
  const calls: unknown[][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      calls.push([level, ...args]);
  const fake = (bindings: Record<string, unknown>[]): Logger => ({
    trace: record('trace'),
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    fatal: record('fatal'),
    child: (more) => fake([...bindings, more]),
  });
  const logger = new LazyLogger('warn', () => {
    made++;
    return fake([]);
  });
  const child = logger.child({ part: 'serve' });
  logger.info('quiet');
  child.debug({ a: 1 }, 'quiet too');
  assert.equal(made, 0);
  child.warn({ a: 2 }, 'loud');
  logger.error('louder');
  assert.equal(made, 1);
  assert.deepEqual(calls, [
    ['warn', { a: 2 }, 'loud'],
    ['error', 'louder'],
  ]);
  silentLogger().fatal('never written');
});

test('a process that logs nothing at its level never loads pino', () => {
  const logger = fileURLToPath(new URL('./logger.js', import.meta.url));
  const script = `
    import module from 'node:module';
    const { createLogger } = await import(${JSON.stringify(logger)});
    const pinoLoaded = () => Object.keys(module._cache).some((k) => k.includes('/node_modules/pino/'));
    const log = createLogger('warn');
    log.info({ n: 1 }, 'not at the level');
    log.child({ folder: 'INBOX' }).debug('nor this');
    const before = pinoLoaded();
    log.warn('this one');
    console.log(JSON.stringify({ before, after: pinoLoaded() }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { before: false, after: true });
  assert.match(run.stderr, /"msg":"this one"/);
});
