import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ScheduleConfig } from '../config/config.js';
import { dayNumber, isoDate, NO_DAY } from './calendar-days.js';
import {
  OUTCOME,
  planBatches,
  STATUS,
  type Plan,
  type PlanInput,
  type PlanMailboxes,
  type PlanOrganisation,
} from './plan-batches.js';
import { RoomIndex } from './room-index.js';

/** A mailbox as the tests write it; columns() turns a list into the planner's columns. */
interface Box {
  address: string;
  organisation: number;
  size: number;
  status: number;
  previousDay: number;
  toldDay: number;
  blocker: string | undefined;
}

function columns(boxes: readonly Box[]): PlanMailboxes {
  return {
    address: boxes.map((b) => b.address),
    organisation: Int32Array.from(boxes, (b) => b.organisation),
    sizeBytes: Float64Array.from(boxes, (b) => b.size),
    status: Uint8Array.from(boxes, (b) => b.status),
    previousDay: Int32Array.from(boxes, (b) => b.previousDay),
    toldDay: Int32Array.from(boxes, (b) => b.toldDay),
    blockers: new Map(boxes.flatMap((b, i) => (b.blocker === undefined ? [] : [[i, b.blocker] as const]))),
  };
}

interface Scenario {
  planDate: string;
  schedule: ScheduleConfig;
  force: boolean;
  organisations: PlanOrganisation[];
  boxes: Box[];
}

const input = (s: Scenario): PlanInput => ({
  planDate: s.planDate,
  schedule: s.schedule,
  force: s.force,
  organisations: s.organisations,
  mailboxes: columns(s.boxes),
});

const BASE = dayNumber('2027-03-01');
const dateNear = fc.integer({ min: 0, max: 45 }).map((d) => isoDate(BASE + d));
// Mostly days that take a few mailboxes, sometimes none; byte limits about half the time.
const capacity = fc.record({
  mailboxes: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 9 }), weight: 5 },
    { arbitrary: fc.constant(0), weight: 1 },
  ),
  bytes: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined, freq: 2 }),
});
const schedule: fc.Arbitrary<ScheduleConfig> = fc
  .record({
    weekday: capacity,
    weekend: capacity,
    blackoutDates: fc.uniqueArray(dateNear, { maxLength: 8 }),
    noticeDays: fc.integer({ min: 0, max: 10 }),
    searchDays: fc.integer({ min: 0, max: 35 }),
    keepOrganisationsWhole: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ searchDays, ...rest }) => ({ ...rest, horizonDays: Math.max(1, rest.noticeDays + searchDays) }));

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    planDate: fc.integer({ min: 0, max: 10 }).map((d) => isoDate(BASE + d)),
    schedule,
    force: fc.boolean(),
    organisations: fc.uniqueArray(
      fc.record({
        code: fc.stringMatching(/^[A-Z]{1,3}$/),
        pilot: fc.boolean(),
        blackoutDates: fc.uniqueArray(dateNear, { maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 12, selector: (o) => o.code },
    ),
    rows: fc.uniqueArray(
      fc.record({
        address: fc.stringMatching(/^[a-e]{1,4}@[xy]$/),
        org: fc.nat(),
        size: fc.integer({ min: 0, max: 150 }),
        status: fc.constantFrom(STATUS.imported, STATUS.scheduled, STATUS.prestaged, STATUS.failed),
        previous: fc.option(fc.integer({ min: -5, max: 45 }), { nil: undefined }),
        told: fc.boolean(),
        blocker: fc.option(fc.constantFrom('not discovered yet', 'target login: bad-password (no)'), {
          nil: undefined,
          freq: 6,
        }),
      }),
      { maxLength: 80, size: 'medium', selector: (r) => r.address },
    ),
  })
  .map(({ rows, ...rest }) => ({
    ...rest,
    boxes: rows.map((r) => {
      const previousDay = r.previous === undefined ? NO_DAY : BASE + r.previous;
      return {
        address: r.address,
        organisation: rest.organisations.length === 0 ? -1 : (r.org % (rest.organisations.length + 1)) - 1,
        size: r.size,
        // A day goes with a state that has one: imported mailboxes have none.
        status:
          previousDay === NO_DAY
            ? STATUS.imported
            : r.status === STATUS.imported
              ? STATUS.scheduled
              : r.status,
        previousDay,
        toldDay: r.told && previousDay !== NO_DAY ? previousDay - 3 : NO_DAY,
        blocker: r.blocker,
      };
    }),
  }));

/** Checked independently of the planner: a day's capacity under the schedule. */
function capacityOf(s: ScheduleConfig, day: number): { mailboxes: number; bytes: number } {
  if (s.blackoutDates.includes(isoDate(day))) return { mailboxes: 0, bytes: 0 };
  const dow = new Date(`${isoDate(day)}T00:00:00Z`).getUTCDay();
  const c = dow === 0 || dow === 6 ? s.weekend : s.weekday;
  return { mailboxes: c.mailboxes, bytes: c.bytes ?? Infinity };
}

const isKeptTold = (s: Scenario, b: Box): boolean =>
  !s.force &&
  b.toldDay !== NO_DAY &&
  b.previousDay !== NO_DAY &&
  (b.status === STATUS.scheduled || b.status === STATUS.prestaged);

const RUNS = { seed: 20270301, numRuns: 500 };

describe('planBatches (properties)', () => {
  test('no day over capacity (count and bytes) except by kept told users; the calendar says so', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = planBatches(input(s));
        const load = new Map<number, { placed: number; count: number; bytes: number }>();
        s.boxes.forEach((b, i) => {
          if (plan.day[i] === NO_DAY) return;
          const l = load.get(plan.day[i]!) ?? { placed: 0, count: 0, bytes: 0 };
          l.count++;
          l.bytes += b.size;
          if (plan.outcome[i] === OUTCOME.placed) l.placed++;
          load.set(plan.day[i]!, l);
        });
        for (const [day, l] of load) {
          const cap = capacityOf(s.schedule, day);
          const over = l.count > cap.mailboxes || l.bytes > cap.bytes;
          if (l.placed > 0) assert.ok(!over, `${isoDate(day)}: ${l.count} mailboxes, ${l.bytes} bytes`);
          const summary = plan.days.find((d) => d.day === isoDate(day));
          assert.ok(summary, `${isoDate(day)} in the calendar`);
          assert.deepEqual(
            [summary.mailboxes, summary.bytes, summary.overCapacity],
            [l.count, l.bytes, over],
          );
        }
        for (const d of plan.days) if (!load.has(dayNumber(d.day))) assert.equal(d.mailboxes, 0);
      }),
      RUNS,
    );
  });

  test('every mailbox is either on a day or unplaced with a reason, never both; blockers give theirs', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = planBatches(input(s));
        s.boxes.forEach((b, i) => {
          const placed = plan.outcome[i] === OUTCOME.placed || plan.outcome[i] === OUTCOME.kept;
          const unplaced = plan.outcome[i] === OUTCOME.unplaced;
          assert.ok(placed !== unplaced, b.address);
          assert.equal(plan.day[i] !== NO_DAY, placed);
          assert.equal(plan.reason[i]! >= 0, unplaced);
          if (unplaced) assert.ok(plan.reasons[plan.reason[i]!]!.length > 0);
          if (b.blocker !== undefined && !isKeptTold(s, b))
            assert.equal(plan.reasons[plan.reason[i]!], b.blocker);
        });
        const c = plan.counts;
        assert.equal(c.placed + c.kept + c.unplaced, s.boxes.length);
      }),
      RUNS,
    );
  });

  test('the same input and seed give the same plan, whatever the order of mailboxes and organisations', () => {
    const shuffled = scenario.chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.shuffledSubarray([...s.boxes.keys()], { minLength: s.boxes.length, maxLength: s.boxes.length }),
        fc.shuffledSubarray([...s.organisations.keys()], {
          minLength: s.organisations.length,
          maxLength: s.organisations.length,
        }),
      ),
    );
    fc.assert(
      fc.property(shuffled, ([s, boxOrder, orgOrder]) => {
        const orgAt = new Map(orgOrder.map((old, now) => [old, now]));
        const permuted: Scenario = {
          ...s,
          organisations: orgOrder.map((o) => s.organisations[o]!),
          boxes: boxOrder.map((i) => {
            const b = s.boxes[i]!;
            return { ...b, organisation: b.organisation < 0 ? -1 : orgAt.get(b.organisation)! };
          }),
        };
        const byAddress = (scn: Scenario, plan: Plan): Map<string, string> =>
          new Map(
            scn.boxes.map((b, i) => [
              b.address,
              `${plan.day[i]} ${plan.outcome[i]} ${plan.moved[i]} ${plan.reasons[plan.reason[i]!] ?? ''}`,
            ]),
          );
        const first = byAddress(s, planBatches(input(s)));
        assert.deepEqual(byAddress(permuted, planBatches(input(permuted))), first);
        assert.deepEqual(byAddress(s, planBatches(input(s))), first);
      }),
      { ...RUNS, numRuns: 150 },
    );
  });

  test('new placements fall in the window, after the notice period, never on a programme or organisation blackout', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = planBatches(input(s));
        const today = dayNumber(s.planDate);
        s.boxes.forEach((b, i) => {
          if (plan.outcome[i] !== OUTCOME.placed) return;
          const day = plan.day[i]!;
          assert.ok(day >= today + s.schedule.noticeDays, `${isoDate(day)} before the notice period ends`);
          assert.ok(day < today + s.schedule.horizonDays);
          assert.ok(!s.schedule.blackoutDates.includes(isoDate(day)));
          if (b.organisation >= 0)
            assert.ok(!s.organisations[b.organisation]!.blackoutDates.includes(isoDate(day)));
        });
        assert.equal(plan.firstDay, isoDate(today + s.schedule.noticeDays));
      }),
      RUNS,
    );
  });

  test('pilots strictly first: every new non-pilot day is later than every new pilot day', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = planBatches(input(s));
        let lastPilot = -Infinity;
        let firstOther = Infinity;
        s.boxes.forEach((b, i) => {
          if (plan.outcome[i] !== OUTCOME.placed) return;
          const pilot = b.organisation >= 0 && s.organisations[b.organisation]!.pilot;
          if (pilot) lastPilot = Math.max(lastPilot, plan.day[i]!);
          else firstOther = Math.min(firstOther, plan.day[i]!);
        });
        assert.ok(lastPilot < firstOther, `pilot ${lastPilot}, other ${firstOther}`);
      }),
      RUNS,
    );
  });

  test('keepOrganisationsWhole: an organisation that fits every open day lands on one day (or none)', () => {
    const whole = scenario.map((s) => ({ ...s, schedule: { ...s.schedule, keepOrganisationsWhole: true } }));
    fc.assert(
      fc.property(whole, (s) => {
        const plan = planBatches(input(s));
        const open = [s.schedule.weekday, s.schedule.weekend].filter((c) => c.mailboxes > 0);
        const minCount = Math.min(...open.map((c) => c.mailboxes));
        const minBytes = Math.min(...open.map((c) => c.bytes ?? Infinity));
        s.organisations.forEach((_, org) => {
          // The organisation's share of this plan: placed now, or left for want of room.
          const unit = s.boxes
            .map((b, i) => ({ b, i }))
            .filter(
              ({ b, i }) =>
                b.organisation === org &&
                (plan.outcome[i] === OUTCOME.placed ||
                  plan.reasons[plan.reason[i]!]?.startsWith('no day with room') === true),
            );
          const bytes = unit.reduce((n, { b }) => n + b.size, 0);
          if (open.length === 0 || unit.length === 0 || unit.length > minCount || bytes > minBytes) return;
          const days = new Set(unit.map(({ i }) => plan.day[i]));
          assert.equal(days.size, 1, `${s.organisations[org]!.code} on ${[...days].join(', ')}`);
        });
      }),
      RUNS,
    );
  });

  test('without --force no told user moves; with it every told user whose day changes is reported moved', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const plan = planBatches(input(s));
        let moved = 0;
        s.boxes.forEach((b, i) => {
          if (isKeptTold(s, b)) {
            assert.equal(plan.outcome[i], OUTCOME.kept);
            assert.equal(plan.day[i], b.previousDay);
          }
          const failedLeft = b.status === STATUS.failed && plan.outcome[i] === OUTCOME.unplaced;
          const shouldMove =
            b.toldDay !== NO_DAY &&
            b.previousDay !== NO_DAY &&
            plan.day[i] !== b.previousDay &&
            plan.outcome[i] !== OUTCOME.kept &&
            !failedLeft;
          assert.equal(plan.moved[i] === 1, shouldMove, b.address);
          if (!s.force && plan.moved[i] === 1) assert.equal(b.status, STATUS.failed);
          moved += plan.moved[i]!;
        });
        assert.equal(plan.counts.moved, moved);
      }),
      RUNS,
    );
  });

  test('a re-plan after telling users keeps them; a forced one reports each told user it moves', () => {
    fc.assert(
      fc.property(scenario, fc.integer(), (s, otherSeed) => {
        const first = planBatches(input(s));
        // Everyone placed is now scheduled and told; the others as before.
        const told: Box[] = s.boxes.map((b, i) =>
          first.outcome[i] === OUTCOME.unplaced
            ? b
            : { ...b, status: STATUS.scheduled, previousDay: first.day[i]!, toldDay: dayNumber(s.planDate) },
        );
        const again = { ...s, boxes: told, schedule: { ...s.schedule, seed: otherSeed } };
        const kept = planBatches(input({ ...again, force: false }));
        const madeTold = (i: number): boolean => first.outcome[i] !== OUTCOME.unplaced;
        told.forEach((b, i) => {
          if (!madeTold(i)) return;
          assert.equal(kept.day[i], b.previousDay);
          assert.equal(kept.moved[i], 0);
        });
        const forced = planBatches(input({ ...again, force: true }));
        told.forEach((b, i) => {
          if (!madeTold(i)) return;
          assert.equal(forced.moved[i] === 1, forced.day[i] !== b.previousDay, b.address);
        });
      }),
      { ...RUNS, numRuns: 150 },
    );
  });
  test('re-planning what a plan wrote, with the same seed, changes nothing', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const first = planBatches(input(s));
        // As the store has it after the plan (plan-programme.ts writes these).
        const written: Box[] = s.boxes.map((b, i) => {
          const toldDay = first.moved[i] === 1 ? NO_DAY : b.toldDay;
          if (first.outcome[i] === OUTCOME.placed)
            return { ...b, status: STATUS.scheduled, previousDay: first.day[i]!, toldDay };
          if (first.outcome[i] === OUTCOME.unplaced && b.status !== STATUS.failed)
            return { ...b, status: STATUS.imported, previousDay: NO_DAY, toldDay };
          return b;
        });
        const again = planBatches(input({ ...s, boxes: written }));
        assert.deepEqual(again.day, first.day);
        assert.equal(again.counts.unchanged, first.counts.placed);
      }),
      RUNS,
    );
  });
});

describe('planBatches (examples)', () => {
  const base: ScheduleConfig = {
    weekday: { mailboxes: 2, bytes: 50 * 2 ** 30 },
    weekend: { mailboxes: 0, bytes: undefined },
    blackoutDates: ['2027-03-16'],
    noticeDays: 14,
    horizonDays: 30,
    keepOrganisationsWhole: false,
    seed: 7,
  };
  const box = (address: string, size: number, extra: Partial<Box> = {}): Box => ({
    address,
    organisation: -1,
    size,
    status: STATUS.imported,
    previousDay: NO_DAY,
    toldDay: NO_DAY,
    blocker: undefined,
    ...extra,
  });

  test('reasons name the byte limit and the end of the search; weekends and blackouts are skipped', () => {
    const plan = planBatches(
      input({
        planDate: '2027-03-01',
        schedule: { ...base, horizonDays: 19 },
        force: false,
        organisations: [],
        boxes: [
          box('big@x', 60 * 2 ** 30),
          box('blocked@x', 1, { blocker: 'not discovered yet' }),
          ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((a) => box(`${a}@x`, 2 ** 30)),
        ],
      }),
    );
    const reasonOf = (i: number): string | undefined => plan.reasons[plan.reason[i]!];
    assert.equal(reasonOf(0), "larger than a day's byte capacity (60 GB > 50 GB)");
    assert.equal(reasonOf(1), 'not discovered yet');
    // Mon 15th, (16th blacked out), Wed 17th, Thu 18th, Fri 19th: four days of two; the 20th ends the search.
    assert.deepEqual(
      plan.days.map((d) => [d.day, d.kind, d.mailboxes]),
      [
        ['2027-03-15', 'weekday', 2],
        ['2027-03-16', 'blackout', 0],
        ['2027-03-17', 'weekday', 2],
        ['2027-03-18', 'weekday', 2],
        ['2027-03-19', 'weekday', 2],
      ],
    );
    assert.deepEqual(plan.counts, { mailboxes: 10, placed: 8, unchanged: 0, kept: 0, moved: 0, unplaced: 2 });
    assert.equal(plan.horizonEnd, '2027-03-20');
  });

  test('a kept told user on a full day shows it over capacity; a forced re-plan moves and reports them', () => {
    const day = dayNumber('2027-03-15');
    const told = { status: STATUS.scheduled, previousDay: day, toldDay: day - 14 };
    const s: Scenario = {
      planDate: '2027-03-01',
      schedule: base,
      force: false,
      organisations: [],
      boxes: [box('a@x', 1, told), box('b@x', 1, told), box('c@x', 1, told)],
    };
    const kept = planBatches(input(s));
    assert.deepEqual(
      kept.days.map((d) => [d.day, d.mailboxes, d.kept, d.overCapacity]),
      [['2027-03-15', 3, 3, true]],
    );
    const forced = planBatches(input({ ...s, force: true }));
    assert.equal(forced.counts.moved, 1);
    assert.ok(forced.days.every((d) => !d.overCapacity));
  });
});

test('RoomIndex.firstFit is the first day with room, as a scan would find it', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 })), {
        minLength: 1,
        maxLength: 40,
      }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 25 }), fc.nat()), { maxLength: 60 }),
      (days, steps) => {
        const count = Float64Array.from(days, ([c]) => c);
        const bytes = Float64Array.from(days, ([, b]) => b);
        const room = new RoomIndex(count.slice(), bytes.slice());
        for (const [fromSeed, need, take] of steps) {
          const from = fromSeed % (days.length + 2);
          let expected = -1;
          for (let d = from; d < days.length; d++)
            if (count[d]! >= 1 && bytes[d]! >= need) {
              expected = d;
              break;
            }
          assert.equal(room.firstFit(from, need), expected);
          const d = take % days.length;
          room.take(d, 1, need);
          count[d]!--;
          bytes[d]! -= need;
        }
      },
    ),
    { seed: 42, numRuns: 500 },
  );
});
