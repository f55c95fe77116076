import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { openStateStore } from '../state/open-state-store.js';
import { MISSED_HEARTBEATS } from './worker-registry.js';
import type { WorkerLoad } from '../report/worker-load.js';
import type { Database } from '../state/schema.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { runCli, tempStatePath, type CliResult } from '../testing/sync-fixture.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';

let postgres: PostgresServer;
const cleanups: (() => Promise<void>)[] = [];
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await postgres?.stop();
});

/** Thirty days before today: a plan made then puts every batch day in the past, so each step is due now. */
const planDay = (): string => new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);

interface Fixture {
  sample: SampleProgramme;
  dir: string;
  db: Kysely<Database>;
  proxy: TcpProxy;
}

/** A PostgreSQL programme of N mailboxes, imported, discovered and planned; the source behind a proxy. */
async function programme(n: number, messages: number, sourceFlags: string[]): Promise<Fixture> {
  const url = await postgres.createDatabase();
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  let proxy: TcpProxy | undefined;
  const sample = await buildSampleProgramme({
    dir,
    db: url,
    organisations: [{ code: 'ORG', name: 'Organisation', pilot: false, mailboxes: n }],
    messages: (i) => messages + (i % 4) * 10,
    sourceFlags,
    frontSource: async (source) => {
      proxy = await startTcpProxy('127.0.0.1', source.port);
      return proxy.url;
    },
    config: `
schedule:
  weekday: { mailboxes: 100 }
  weekend: { mailboxes: 100 }
  noticeDays: 14
lifecycle:
  prestageDays: 2
  connectionsPerMailbox: 1
`,
  });
  const db = await openStateStore(url);
  cleanups.push(async () => {
    await db.destroy();
    await proxy?.close();
    await sample.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  // Asynchronously: the source's proxy lives in this process and must go on relaying.
  await sample.trancheAsync(['discover']);
  const plan = JSON.parse(sample.tranche(['plan', '--today', planDay(), '--json'])) as { placed: number };
  assert.equal(plan.placed, n);
  return { sample, dir, db, proxy: proxy! };
}

/** Starts a worker process of the programme in DIR. */
function worker(dir: string, mailboxes: number): Promise<CliResult> {
  return runCli([
    'worker',
    '--programme',
    dir,
    '--mailboxes',
    String(mailboxes),
    '--lease',
    '6',
    '--exit-when-done',
    '--json',
  ]);
}

async function identical(sample: SampleProgramme): Promise<void> {
  for (const m of sample.mailboxes) {
    const differences = diffSnapshots(
      await snapshotMailbox(sample.source, m.source),
      await snapshotMailbox(sample.target, m.target),
    );
    assert.deepEqual(differences, [], m.address);
  }
}

/** The most passes whose [started, finished] intervals overlap at one moment. */
function mostAtOnce(passes: { started_at: string; finished_at: string | null }[]): number {
  const edges = passes.flatMap((p) => [
    { at: p.started_at, d: 1 },
    { at: p.finished_at ?? '9999', d: -1 },
  ]);
  edges.sort((a, b) => (a.at === b.at ? a.d - b.d : a.at < b.at ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

describe('tranche worker: many processes on one PostgreSQL programme', () => {
  test('three workers; one is killed (SIGKILL) mid-copy; every mailbox ends done, once, identical', async () => {
    const { sample, dir, db } = await programme(12, 120, ['--max-mailboxes', '6', '--max-connections', '6']);
    const workers = [worker(dir, 3), worker(dir, 3), worker(dir, 3)];
    // Wait for a pre-stage under way (started at least 50 ms ago: a 120-message copy can be over in
    // a few hundred), then kill the worker running it.
    let victim: { pid: number; id: string; mailbox: string } | undefined;
    for (let i = 0; i < 3000 && !victim; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const running = await db
        .selectFrom('pass')
        .innerJoin('worker', 'worker.id', 'pass.worker')
        .select(['worker.pid', 'worker.id', 'pass.mailbox', 'pass.started_at'])
        .where('pass.finished_at', 'is', null)
        .where('pass.kind', '=', 'prestage')
        .where('pass.started_at', '<', new Date(Date.now() - 50).toISOString())
        .executeTakeFirst();
      if (running) victim = { pid: running.pid, id: running.id, mailbox: running.mailbox };
    }
    assert.ok(victim, 'no pre-stage was seen running');
    process.kill(victim.pid, 'SIGKILL');
    // The status while they work: three workers registered, one of them leading.
    const during = JSON.parse(await sample.trancheAsync(['status', '--workers', '--json'])) as WorkerLoad;
    assert.equal(during.workers.length, 3);
    assert.equal(during.workers.filter((w) => w.leader).length, 1);
    const results = await Promise.all(workers);
    const killed = results.filter((r) => r.signal === 'SIGKILL');
    assert.equal(killed.length, 1);
    for (const r of results.filter((r) => r.signal !== 'SIGKILL')) {
      assert.equal(r.status, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { ended: string }).ended, 'done');
    }

    const states = await db.selectFrom('mailbox').select(['address', 'state']).execute();
    assert.deepEqual(
      states.filter((s) => s.state !== 'done'),
      [],
    );
    await identical(sample);
    // Each step went through once. The only other passes are those the killed worker left open
    // (the one seen, and any other it held): closed as interrupted, and run again by another worker.
    const passes = await db
      .selectFrom('pass')
      .select(['mailbox', 'kind', 'outcome', 'worker', 'started_at', 'finished_at'])
      .execute();
    for (const m of sample.mailboxes) {
      const own = passes.filter((p) => p.mailbox === m.address);
      assert.equal(own.filter((p) => p.kind === 'final' && p.outcome === 'ok').length, 1, m.address);
      assert.equal(own.filter((p) => p.kind === 'prestage' && p.outcome === 'ok').length, 1, m.address);
      const others = own.filter((p) => p.outcome !== 'ok');
      assert.ok(
        others.every((p) => p.outcome === 'interrupted' && p.worker === victim.id),
        `${m.address}: ${JSON.stringify(others)}`,
      );
    }
    const taken = passes.filter((p) => p.mailbox === victim.mailbox && p.kind === 'prestage');
    assert.deepEqual(taken.map((p) => p.outcome).sort(), ['interrupted', 'ok']);
    assert.notEqual(taken.find((p) => p.outcome === 'ok')!.worker, victim.id);
    // The killed worker is gone from the registry's point of view; the others stopped cleanly.
    const registered = await db.selectFrom('worker').selectAll().execute();
    assert.equal(registered.length, 3);
    assert.equal(registered.filter((w) => w.stopped_at === null).length, 1);
    const dead = registered.find((w) => w.stopped_at === null)!;
    assert.equal(dead.pid, victim.pid);
    // It counts as gone once its heartbeats are missed. The others can finish its mailbox sooner
    // (its lease and its heartbeat are renewed at different moments), so wait until then.
    const staleAt = new Date(dead.heartbeat_at).getTime() + MISSED_HEARTBEATS * dead.heartbeat_ms + 100;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, staleAt - Date.now())));
    const load = JSON.parse(sample.tranche(['status', '--workers', '--json'])) as WorkerLoad;
    const gone = load.workers.find((w) => w.pid === victim.pid)!;
    assert.equal(gone.alive, false);
    assert.equal(gone.stoppedAt, null);
    assert.equal(load.workers.filter((w) => w.stoppedAt !== null).length, 2);
    assert.deepEqual(
      load.endpoints.map((e) => [e.endpoint, e.mailboxes, e.connections, e.maxMailboxes]),
      [
        ['new', 0, 0, 4],
        ['old', 0, 0, 6],
      ],
    );
    assert.ok(load.endpoints.every((e) => e.bytesLastHour > 0));
    assert.equal(load.queued, 0);
  });

  test('a limit of 2 mailboxes on the source holds across three workers (seen by the server’s proxy)', async () => {
    const { sample, dir, db, proxy } = await programme(10, 60, [
      '--max-mailboxes',
      '2',
      '--max-connections',
      '2',
    ]);
    proxy.resetPeak();
    const results = await Promise.all([worker(dir, 3), worker(dir, 3), worker(dir, 3)]);
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    const passes = await db.selectFrom('pass').select(['worker', 'started_at', 'finished_at']).execute();
    // One connection per mailbox: connections open at once on the source are mailboxes at once.
    assert.ok(proxy.peak <= 2, `${proxy.peak} connections at once through the source's proxy`);
    assert.equal(proxy.peak, 2, 'the limit was used, not run one by one');
    assert.ok(mostAtOnce(passes) <= 2, `${mostAtOnce(passes)} passes at once`);
    const states = await db.selectFrom('mailbox').select('state').where('state', '!=', 'done').execute();
    assert.deepEqual(states, []);
    await identical(sample);
    const steps = results.map((r) => (JSON.parse(r.stdout) as { steps: number }).steps);
    assert.equal(
      steps.reduce((a, b) => a + b, 0),
      2 * sample.mailboxes.length,
    );
  });
});
