import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStateStore } from '../../state/open-state-store.js';
import { basicAuth, startRadicale, type RadicaleServer } from '../../testing/radicale.js';
import { deleteItem, hardEvents, loadDavCorpus, plainEvent, putItem } from '../../testing/dav-corpus.js';
import { diffDavSnapshots, snapshotDav } from '../../testing/dav-snapshot.js';
import { radicaleSnapshotSource } from '../../testing/dav-fixture.js';
import { runCli, tempStatePath } from '../../testing/sync-fixture.js';
import { httpRequest } from '../../testing/http-request.js';

let source: RadicaleServer;
let target: RadicaleServer;
before(async () => {
  [source, target] = await Promise.all([startRadicale(), startRadicale()]);
});
after(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

test('tranche sync --source-dav/--target-dav: SIGKILL twice, re-run, delta, refused token: equal, no duplicate', async () => {
  const user = await source.addUser('dora');
  const targetUser = await target.addUser('dora');
  const home = { home: `${source.url}/dora/`, authorization: basicAuth(user) };
  await loadDavCorpus(home, { bigEvents: 200, bigContacts: 0, oversizeBytes: 0 });
  const state = tempStatePath();
  const args = [
    'sync',
    '--state',
    state,
    '--source-dav',
    `${source.url}/`,
    '--source-user',
    'dora',
    '--target-dav',
    `${target.url}/{user}/`,
    '--target-user',
    'dora',
    '--target-admin',
    'admin',
    '--only',
    'calendars,contacts',
  ];
  const env = { TRANCHE_SOURCE_PASSWORD: user.password, TRANCHE_TARGET_PASSWORD: target.admin.password };
  const targetView = radicaleSnapshotSource(target, targetUser);
  // Items in the target's big calendar (a PROPFIND, cheap enough to ask every 50 ms).
  const countOnTarget = async (): Promise<number> => {
    const r = await httpRequest('PROPFIND', `${target.url}/dora/big/`, {
      Authorization: basicAuth(targetUser),
      Depth: '1',
    });
    return r.status === 207 ? (r.text.match(/<getetag>/g) ?? []).length : 0;
  };
  // Two kills at different points of the copy: 20 items in, then 100.
  for (const atLeast of [20, 100]) {
    let closed = false;
    const killed = await runCli(args, env, (kill) => {
      void (async () => {
        while (!closed && (await countOnTarget().catch(() => 0)) < atLeast) await sleep(50);
        kill();
      })();
    });
    closed = true;
    assert.equal(killed.signal, 'SIGKILL', killed.stdout + killed.stderr);
  }
  const done = await runCli(args, env);
  assert.equal(done.status, 0, done.stdout + done.stderr);
  const sourceSnap = await snapshotDav(radicaleSnapshotSource(source, user));
  assert.deepEqual(diffDavSnapshots(sourceSnap, await snapshotDav(targetView)), []);

  // Delta: added, changed, an occurrence edited, deleted.
  await putItem(home, 'big', 'added.ics', plainEvent(9001, 'Ajouté après la copie'));
  await putItem(home, 'big', 'big-1.ics', plainEvent(1, 'Changé après la copie'));
  await putItem(home, 'work', 'weekly.ics', hardEvents()['weekly.ics']!.replace('Salle Ærø', 'Salle Ørsted'));
  await deleteItem(home, 'big', 'big-2.ics');
  const delta = await runCli([...args, '--propagate-deletes', '--json'], env);
  assert.equal(delta.status, 0, delta.stdout + delta.stderr);
  const report = JSON.parse(delta.stdout) as {
    totals: { calendar: { copied: number; updated: number; deleted: number } };
    collections: { listing: string }[];
  };
  assert.deepEqual(
    [report.totals.calendar.copied, report.totals.calendar.updated, report.totals.calendar.deleted],
    [1, 2, 1],
  );
  assert.ok(report.collections.every((c) => c.listing === 'delta'));
  assert.deepEqual(
    diffDavSnapshots(await snapshotDav(radicaleSnapshotSource(source, user)), await snapshotDav(targetView)),
    [],
  );

  // A token the server refuses (expired, or a restored server): a full listing, nothing copied twice.
  const db = await openStateStore(state);
  await db.updateTable('dav_collection').set({ sync_token: 'http://radicale.org/ns/sync/0000' }).execute();
  await db.destroy();
  await putItem(home, 'big', 'after-refusal.ics', plainEvent(9002));
  const fallback = await runCli([...args, '--json'], env);
  assert.equal(fallback.status, 0, fallback.stdout + fallback.stderr);
  const fb = JSON.parse(fallback.stdout) as {
    totals: { calendar: { copied: number; updated: number } };
    collections: { listing: string }[];
  };
  assert.deepEqual([fb.totals.calendar.copied, fb.totals.calendar.updated], [1, 0]);
  assert.ok(fb.collections.every((c) => c.listing === 'full'));
  assert.deepEqual(
    diffDavSnapshots(await snapshotDav(radicaleSnapshotSource(source, user)), await snapshotDav(targetView)),
    [],
  );

  const verify = await runCli(['verify', ...args.slice(3)], env);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /identical/);
});
