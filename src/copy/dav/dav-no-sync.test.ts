import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basicAuth, startRadicale, type RadicaleServer } from '../../testing/radicale.js';
import { deleteItem, hardEvents, loadDavCorpus, plainEvent, putItem } from '../../testing/dav-corpus.js';
import { diffDavSnapshots, snapshotDav } from '../../testing/dav-snapshot.js';
import { radicaleEndpoint, radicaleSnapshotSource, runDavSync } from '../../testing/dav-fixture.js';
import { startNoSyncFront, type NoSyncFront } from '../../testing/no-sync-front.js';
import { tempStatePath } from '../../testing/sync-fixture.js';
import type { DavSyncReport } from './dav-sync-report.js';

let source: RadicaleServer;
let target: RadicaleServer;
const fronts: NoSyncFront[] = [];
before(async () => {
  [source, target] = await Promise.all([startRadicale(), startRadicale()]);
});
after(async () => {
  await Promise.all([...fronts.map((f) => f.close()), source?.stop(), target?.stop()]);
});

function counts(report: DavSyncReport): number[] {
  const c = report.totals.calendar;
  return [c.copied, c.updated, c.deleted];
}

test('a source without sync-collection: full ETag listings, first copy and delta equal by the checker', async () => {
  const user = await source.addUser('erin');
  const targetUser = await target.addUser('erin');
  const home = { home: `${source.url}/erin/`, authorization: basicAuth(user) };
  const items = await loadDavCorpus(home, { bigEvents: 40, bigContacts: 10, oversizeBytes: 0 });
  // The source as a server that neither offers nor answers the sync-collection REPORT.
  const hidden = await startNoSyncFront('127.0.0.1', source.port, { status: 403, advertise: false });
  fronts.push(hidden);
  const sourceVia = (front: NoSyncFront) => ({
    ...radicaleEndpoint(source, user),
    url: new URL(`${front.url}/`),
  });
  const targetEndpoint = radicaleEndpoint(target, targetUser, true);
  const state = tempStatePath();
  const check = async (): Promise<void> => {
    assert.deepEqual(
      diffDavSnapshots(
        await snapshotDav(radicaleSnapshotSource(source, user)),
        await snapshotDav(radicaleSnapshotSource(target, targetUser)),
      ),
      [],
    );
  };

  const first = await runDavSync(sourceVia(hidden), targetEndpoint, state);
  assert.equal(first.status, 'done', JSON.stringify(first.error ?? first.skipped));
  assert.ok(first.collections.every((c) => c.listing === 'full'));
  const total = Object.values(items).reduce((a, b) => a + b, 0);
  assert.equal(first.totals.calendar.copied + first.totals.addressbook.copied, total);
  // Not offered, so never asked for: tranche read supported-report-set and listed ETags instead.
  assert.equal(hidden.refused, 0);
  await check();

  // A delta: added, changed, an occurrence edited, deleted (with --propagate-deletes).
  await putItem(home, 'big', 'added.ics', plainEvent(9001, 'Ajouté après la copie'));
  await putItem(home, 'big', 'big-1.ics', plainEvent(1, 'Changé après la copie'));
  await putItem(home, 'work', 'weekly.ics', hardEvents()['weekly.ics']!.replace('Salle Ærø', 'Salle Ørsted'));
  await deleteItem(home, 'big', 'big-2.ics');
  const delta = await runDavSync(sourceVia(hidden), targetEndpoint, state, { propagateDeletes: true });
  assert.equal(delta.status, 'done', JSON.stringify(delta.error ?? delta.skipped));
  assert.deepEqual(counts(delta), [1, 2, 1]);
  assert.equal(delta.totals.addressbook.copied + delta.totals.addressbook.updated, 0);
  assert.ok(delta.collections.every((c) => c.listing === 'full'));
  await check();

  // Nothing changed: a full listing again, and nothing written.
  const still = await runDavSync(sourceVia(hidden), targetEndpoint, state, { propagateDeletes: true });
  assert.deepEqual(counts(still), [0, 0, 0]);
  assert.equal(still.totals.addressbook.copied + still.totals.addressbook.updated, 0);

  // A server that offers sync-collection and then refuses it (501): the refusal is the fallback.
  const refusing = await startNoSyncFront('127.0.0.1', source.port, { status: 501, advertise: true });
  fronts.push(refusing);
  await putItem(home, 'big', 'added-2.ics', plainEvent(9002, 'Encore un'));
  await deleteItem(home, 'big', 'big-3.ics');
  const refused = await runDavSync(sourceVia(refusing), targetEndpoint, state, { propagateDeletes: true });
  assert.equal(refused.status, 'done', JSON.stringify(refused.error ?? refused.skipped));
  assert.ok(refusing.refused >= refused.collections.length, `${refusing.refused} refusals`);
  assert.deepEqual(counts(refused), [1, 0, 1]);
  assert.ok(refused.collections.every((c) => c.listing === 'full'));
  await check();
});
