import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { tempStatePath } from '../testing/sync-fixture.js';

let sample: SampleProgramme;
let dir: string;
let profile: string;
before(async () => {
  dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
  sample = await buildSampleProgramme({
    dir,
    organisations: [{ code: 'ONE', name: 'One', pilot: false, mailboxes: 3 }],
    messages: () => 5,
    config: `
schedule:
  weekday: { mailboxes: 3 }
  noticeDays: 2
lifecycle:
  prestageDays: 1
  requireSoak: { withinDays: 7, minMultiple: 2 }
soak:
  loadTestTargets: [new]
`,
  });
  profile = join(dir, 'busy.yaml');
  writeFileSync(
    profile,
    'actionsPerHour: { select: 9000, status: 9000, fetchHeaders: 5000, deliver: 3000 }\n',
  );
});
after(async () => {
  await sample?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Status = {
  soak: { endpoints: { endpoint: string; gate: string; reason: string }[] };
  states: Record<string, number>;
};
const status = (): Status => JSON.parse(sample.tranche(['status', '--json'])) as Status;
const soak = (...extra: string[]): Promise<string> =>
  sample.trancheAsync(
    [
      'soak',
      '--endpoint',
      'new',
      '--users',
      '2',
      '--ramp',
      '1,2',
      '--duration',
      '2s',
      '--window',
      '1s',
      '--profile',
      profile,
      ...extra,
    ],
    [0, 1],
  );
const run = (): { ended: string; heldCutovers: string[] } =>
  JSON.parse(
    sample.tranche(['run', '--clock-start', '2027-02-01', '--clock-speed', '3600', '--json'], [0, 1]),
  ) as {
    ended: string;
    heldCutovers: string[];
  };

test('lifecycle.requireSoak: no cutover before a soak go, a no-go keeps them held, a go lets them start', async () => {
  sample.tranche(['import', 'orgs', sample.organisationsCsv]);
  sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
  sample.tranche(['discover']);
  sample.tranche(['plan', '--today', '2027-02-01']);

  // Pre-stage and deltas run; the cutovers wait, and the run and status say why.
  const first = run();
  assert.equal(first.ended, 'held');
  assert.deepEqual(first.heldCutovers, ['new']);
  let gate = status().soak.endpoints.find((e) => e.endpoint === 'new')!;
  assert.equal(gate.gate, 'held');
  assert.match(gate.reason, /no soak run yet/);
  assert.equal(status().states.done, 0);

  // A no-go (a threshold no server meets) is kept, and keeps the cutovers held. The endpoint is a
  // listed load-test target, so no --i-own-this-server is needed; the endpoint's admin logs in as users.
  const nogo = JSON.parse(await soak('--threshold', 'select.max<0.001ms', '--json')) as {
    verdict: { go: boolean };
  };
  assert.equal(nogo.verdict.go, false);
  gate = status().soak.endpoints.find((e) => e.endpoint === 'new')!;
  assert.match(gate.reason, /NO-GO \(select\.max<0\.001ms\)/);
  assert.equal(run().ended, 'held');

  // A go at x2 opens the gate: the cutovers and final passes run to the end.
  const go = await soak('--threshold', 'errors<5%');
  assert.match(go, /^tranche soak: GO/);
  gate = status().soak.endpoints.find((e) => e.endpoint === 'new')!;
  assert.equal(gate.gate, 'open');
  const last = run();
  assert.equal(last.ended, 'finished');
  assert.equal(status().states.done, 3);
  assert.match(
    sample.tranche(['status']),
    /soak {8}cutovers need a go at x2\+ within 7 days\n {2}new: open: soak go at x2/,
  );
});
