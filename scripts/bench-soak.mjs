// Benchmark of `tranche soak`'s generator (issue 20), against a local Dovecot on loopback:
// 1. what one process sustains: the highest offered rate whose generator lag p99 stays under 5 ms,
//    its simulated users and commands/s, and the CPU this process spends per 1,000 commands;
// 2. the same slowed run (a latency proxy switched on for the middle third) measured by the open
//    loop and by an imaptest-style closed loop (each client sends its next action when the last is
//    answered), side by side. Writes the "Soak generator" section of docs/benchmarks.md.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDovecot } from '../dist/testing/dovecot.js';
import { generateCorpus, loadCorpus } from '../dist/testing/corpus.js';
import { startTcpProxy } from '../dist/testing/tcp-proxy.js';
import { endpointOf } from '../dist/testing/sync-fixture.js';
import { silentLogger } from '../dist/log/logger.js';
import { ArrivalSchedule } from '../dist/soak/arrivals.js';
import { planLoad } from '../dist/soak/load-plan.js';
import { generateLoad } from '../dist/soak/open-loop-generator.js';
import { OFFICE_USER, ACTION_KINDS } from '../dist/soak/profile.js';
import { runSoak } from '../dist/soak/soak-run.js';
import { SoakRecorder } from '../dist/soak/soak-recorder.js';
import { SimulatedUser } from '../dist/soak/simulated-user.js';
import { seededRandom } from '../dist/programme/plan/seeded-shuffle.js';
import { writeSection } from './bench-lib.mjs';

const USERS = Number(process.env.SOAK_BENCH_USERS ?? 40);
const STEP_MS = Number(process.env.SOAK_BENCH_STEP_MS ?? 5000);
const server = await startDovecot();
const users = [];
for (let i = 0; i < USERS; i++) {
  const user = await server.addUser();
  await loadCorpus(server, user, generateCorpus({ seed: i, messages: 20, folders: ['INBOX', 'Sent'] }));
  users.push(user);
}
const scaled = (factor) => ({
  ...OFFICE_USER,
  connectionsPerUser: 2,
  actionsPerHour: Object.fromEntries(
    Object.entries(OFFICE_USER.actionsPerHour).map(([k, v]) => [k, v * factor]),
  ),
  messageBytes: 4000,
});

// 1. Capacity: a ramp of rising rates, the CPU of this process per step.
const ramp = [1, 2, 4, 8, 16];
const profile = scaled(100); // 116 × 100 actions per user-hour: 3.2/s per user at x1
const cpuAtStart = process.cpuUsage();
const capacity = await runSoak({
  target: server.url,
  logins: users.map((u) => endpointOf(server, u)),
  ramp,
  durationMs: STEP_MS * ramp.length,
  windowMs: 1000,
  profile,
  thresholds: [],
  signal: new AbortController().signal,
  logger: silentLogger(),
});
const cpu = process.cpuUsage(cpuAtStart);
const totalCommands = capacity.phases.reduce((n, p) => n + p.figures.all.count, 0);
const cpuPer1000 = ((cpu.user + cpu.system) / 1000 / totalCommands) * 1000;
const steps = capacity.phases.filter((p) => p.kind === 'step');
const sustained = [...steps].reverse().find((p) => p.figures.lag.p99 < 5);
const capacityRows = steps.map(
  (p) =>
    `| x${p.multiple} | ${p.ratePerSecond.toFixed(0)} | ${p.figures.all.rate.toFixed(0)} | ${p.figures.lag.p99} | ${p.figures.all.p99} |`,
);

// 2. Open loop against closed loop on the same slowed server.
const DELAY_MS = 300;
const proxy = await startTcpProxy('127.0.0.1', server.port);
const slowProfile = scaled(40);
const plan = planLoad({
  ramp: [1, 1, 1],
  durationMs: STEP_MS * 3,
  recoveryMs: 1000,
  windowMs: 1000,
  liveUsers: USERS,
  profile: slowProfile,
});

/** The slowed run's users, logged in through the proxy, with a recorder and a clock to start. */
async function connectUsers(runId) {
  const recorder = new SoakRecorder(plan);
  let origin = performance.now();
  const clock = { now: () => performance.now() - origin, start: () => (origin = performance.now()) };
  const random = seededRandom(7);
  const sims = users.map(
    (u) =>
      new SimulatedUser({
        login: endpointOf(proxy, u),
        profile: slowProfile,
        recorder,
        now: clock.now,
        runId,
        random,
        idle: false,
      }),
  );
  for (const s of sims) await s.connect();
  return { recorder, clock, random, sims };
}

async function openLoop() {
  const { recorder, clock, sims } = await connectUsers('bench-open');
  const now = clock.now;
  clock.start();
  const signal = new AbortController().signal;
  const end = await generateLoad({
    plan,
    schedule: new ArrivalSchedule(plan, slowProfile, sims.length, 7),
    recorder,
    perform: (i, action, due) => sims[i].perform(action, due),
    now,
    wait: (ms) => sleep(ms),
    signal,
    onPhase: (p) => proxy.setDelay(p.index === 2 ? DELAY_MS : 0),
  });
  await Promise.all(sims.map((s) => s.drain(30_000)));
  await Promise.all(sims.map((s) => s.finish(false)));
  return recorder.stretch(
    Math.floor(plan.phases[1].startMs / 1000),
    Math.floor(plan.phases[1].endMs / 1000) - 1,
    STEP_MS,
  );
}

async function closedLoop() {
  const { recorder, clock, random, sims } = await connectUsers('bench-closed');
  const now = clock.now;
  const weights = ACTION_KINDS.map((k) => slowProfile.actionsPerHour[k]);
  const sum = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = random() * sum;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return ACTION_KINDS[i];
    return ACTION_KINDS[0];
  };
  // Think time so that, answered at once, each client offers the open loop's rate.
  const thinkMs = (1000 * sims.length) / plan.phases[0].ratePerSecond;
  clock.start();
  let phase = 0;
  const phaseTimer = setInterval(() => {
    const p = plan.phases.findIndex((x) => now() >= x.startMs && now() < x.endMs);
    if (p !== phase) proxy.setDelay(p === 1 ? DELAY_MS : 0);
    phase = p;
  }, 10);
  await Promise.all(
    sims.map(async (s, i) => {
      await sleep((thinkMs * i) / sims.length);
      while (now() < plan.phases[2].endMs) {
        // Timed from when it is sent: the next is sent only when this one is answered.
        await s.perform(pick(), now());
        await sleep(thinkMs * (0.5 + random()));
      }
    }),
  );
  clearInterval(phaseTimer);
  await Promise.all(sims.map((s) => s.finish(false)));
  return recorder.stretch(
    Math.floor(plan.phases[1].startMs / 1000),
    Math.floor(plan.phases[1].endMs / 1000) - 1,
    STEP_MS,
  );
}

const open = await openLoop();
proxy.setDelay(0);
const closed = await closedLoop();
await proxy.close();
await server.stop();

const row = (name, f) =>
  `| ${name} | ${f.all.count} | ${f.all.p50} | ${f.all.p95} | ${f.all.p99} | ${f.all.max} |`;
const text = `Measured by \`scripts/bench-soak.mjs\` (${USERS} simulated users against a local Dovecot on loopback,
the generator and the users' IMAP clients in one Node process; ${STEP_MS / 1000} s per step). Machine load
during the run: ${(await import('node:os'))
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(', ')}.

**What one process sustains.** Offered actions/s per step, commands answered/s, the generator's own lag
p99 and the commands' p99 (ms):

| step | actions offered/s | commands/s | lag p99 | latency p99 |
| ---- | ----------------- | ---------- | ------- | ----------- |
${capacityRows.join('\n')}

Highest step with lag p99 under 5 ms: ${sustained ? `x${sustained.multiple}: ${USERS} simulated users, ${sustained.figures.all.rate.toFixed(0)} commands/s` : 'none on this machine at this load'}.
CPU of this process per 1,000 commands (generator, clients, histograms): ${cpuPer1000.toFixed(0)} ms.

**Open loop against an imaptest-style closed loop, same slowed server** (${DELAY_MS} ms added each way by a
proxy during the middle ${STEP_MS / 1000} s; latencies of the commands due in that stretch, ms):

| generator | commands measured | p50 | p95 | p99 | max |
| --------- | ----------------- | --- | --- | --- | --- |
${row('open loop (tranche soak)', open)}
${row('closed loop (next when answered)', closed)}

The closed loop sends less while the server is slow, so its figures describe the commands it chose
to send, not what users arriving at their own pace would have waited (coordinated omission).
`;
writeSection('Soak generator', text);
process.stdout.write(text);
