import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { diffSnapshots, snapshotMailbox } from '../testing/snapshot.js';
import { tempStatePath } from '../testing/sync-fixture.js';

let sample: SampleProgramme;
let dir: string;
before(async () => {
  dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  sample = await buildSampleProgramme({
    dir,
    organisations: [
      { code: 'PILOT', name: 'Pilot', pilot: true, mailboxes: 3 },
      { code: 'MAIN', name: 'Main', pilot: false, mailboxes: 6, blackoutDates: ['2027-02-16'] },
    ],
    messages: (i) => 8 + i,
    config: `
schedule:
  weekday: { mailboxes: 4 }
  weekend: { mailboxes: 0 }
  noticeDays: 14
lifecycle:
  prestageDays: 2
`,
  });
});
after(async () => {
  await sample?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a programme through the CLI: import, discover, plan, run on the simulated clock to the end', async () => {
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  sample.tranche(['discover']);
  const plan = JSON.parse(sample.tranche(['plan', '--today', '2027-02-01', '--json'])) as {
    placed: number;
    unplaced: number;
  };
  assert.equal(plan.placed, 9);
  assert.equal(plan.unplaced, 0);
  // After planning, the target locks one account (a stricter policy): that move must fail, the rest finish.
  const locked = sample.mailboxes.find((m) => m.organisation === 'MAIN')!;
  await sample.target.disableUser(locked.target.user);

  const run = sample.tranche(['run', '--clock-start', '2027-02-01', '--clock-speed', '3600', '--json'], [1]);
  const totals = JSON.parse(run) as { ended: string; failed: number };
  assert.equal(totals.ended, 'finished');
  assert.equal(totals.failed, 1);

  const status = JSON.parse(sample.tranche(['status', '--json'])) as {
    states: Record<string, number>;
    successRate: number;
  };
  assert.equal(status.states.done, 8);
  assert.equal(status.states.failed, 1);
  assert.equal(status.successRate, 8 / 9);
  type Detail = { batchDay: string; state: string; lastFailure: { type: string; reason: string } | null };
  const detail = (address: string): Detail =>
    JSON.parse(sample.tranche(['status', address, '--json'])) as Detail;
  const failed = detail(locked.address);
  assert.equal(failed.state, 'failed');
  assert.equal(failed.lastFailure?.type, 'account-disabled');
  assert.match(failed.lastFailure?.reason ?? '', /^target: /);

  const days = new Map<string, string>();
  for (const m of sample.mailboxes) {
    days.set(m.address, detail(m.address).batchDay);
    if (m === locked) continue;
    const differences = diffSnapshots(
      await snapshotMailbox(sample.source, m.source),
      await snapshotMailbox(sample.target, m.target),
    );
    assert.deepEqual(differences, [], m.address);
  }
  // Pilots first, weekdays only, never on the programme's or the organisation's blackout day.
  const dayOf = (address: string): string => days.get(address)!;
  const pilotDays = sample.mailboxes.filter((m) => m.organisation === 'PILOT').map((m) => dayOf(m.address));
  const mainDays = sample.mailboxes.filter((m) => m.organisation === 'MAIN').map((m) => dayOf(m.address));
  assert.ok(
    pilotDays.every((d) => mainDays.every((e) => d < e)),
    `${pilotDays.join()} / ${mainDays.join()}`,
  );
  assert.ok(!mainDays.includes('2027-02-16'));
  assert.ok([...pilotDays, ...mainDays].every((d) => d >= '2027-02-15'));
});
