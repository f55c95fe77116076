// Notices after people's changes, with the sender killed (SIGKILL) mid-send: real `tranche run`
// processes, a real SMTP sink, on SQLite and PostgreSQL. A user moved after being told gets one
// rescheduled notice; a held user's pending warning is cancelled and never sent, also when it was
// mid-send in the process that was killed; everyone else gets exactly their warning. Counted per
// user in what the SMTP server accepted.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStateStore } from '../state/open-state-store.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { buildSampleProgramme, type SampleProgramme } from '../testing/sample-programme.js';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../testing/smtp-sink.js';
import { runCli, tempStatePath } from '../testing/sync-fixture.js';

let sink: SmtpSink;
let postgres: PostgresServer;
/** When set, the first message it picks is held unanswered and the sender killed. */
let killOn: { pick: (m: ReceivedMessage) => boolean; kill: () => void } | undefined;
/** Messages held unanswered (never accepted) when their sender was killed. */
const held: ReceivedMessage[] = [];

before(async () => {
  postgres = await startPostgres();
  sink = await startSmtpSink({
    onMessage: (message) => {
      if (!killOn?.pick(message)) return Promise.resolve('accept');
      const { kill } = killOn;
      killOn = undefined;
      held.push(message);
      kill();
      return Promise.resolve('hold');
    },
  });
});
after(async () => {
  await sink?.stop();
  await postgres?.stop();
});

const config = (url: string): string => `
schedule:
  weekday: { mailboxes: 2 }
  weekend: { mailboxes: 0 }
  noticeDays: 14
  seed: 5
lifecycle:
  prestageDays: 2
notices:
  from: 'Mail move <moves@example.org>'
  helpdesk: { name: 'Service desk', address: 'help@example.org' }
  smtp: { url: '${url}' }
`;

/** What the SMTP server accepted for ADDRESS. */
function receivedBy(address: string): ReceivedMessage[] {
  return sink.messages.filter((m) => m.envelope.to.includes(address));
}

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  describe(`notices after operations, the sender killed mid-send, on ${backend}`, () => {
    let sample: SampleProgramme;
    let dir: string;
    let state: string;
    before(async () => {
      dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'programme');
      state = backend === 'PostgreSQL' ? await postgres.createDatabase() : join(dir, 'state.sqlite');
      sample = await buildSampleProgramme({
        dir,
        organisations: [{ code: 'MAIN', name: 'Main Trust', pilot: false, mailboxes: 8 }],
        messages: () => 1,
        config: config(sink.url),
        db: backend === 'PostgreSQL' ? state : undefined,
      });
    });
    after(async () => {
      await sample?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('each rescheduled notice once, each cancelled one never, every other notice once', async () => {
      const db = await openStateStore(state);
      const ledger = () =>
        db.selectFrom('notice').select(['subject', 'kind', 'day', 'state', 'error', 'message_id']).execute();
      try {
        sample.tranche(['import', 'orgs', sample.organisationsCsv]);
        sample.tranche(['import', 'mailboxes', sample.mailboxesCsv]);
        sample.tranche(['discover']);
        sample.tranche(['plan', '--today', '2027-02-01']);
        const days = new Map(
          (await db.selectFrom('mailbox').select(['address', 'batch_day']).execute()).map((m) => [
            m.address,
            m.batch_day!,
          ]),
        );
        const on = (day: string): string[] =>
          [...days].filter(([, d]) => d === day).map(([address]) => address);
        const [first, second] = [on('2027-02-15'), on('2027-02-16')];
        assert.equal(first.length, 2, `two users on 15 February: ${[...days].join('; ')}`);
        assert.equal(second.length, 2);
        const start = sink.messages.length;
        const heldBefore = held.length;
        // `tranche run` on a simulated clock; with PICK, killed when the server holds the message it picks.
        const run = (from: string, until: string, pick?: (m: ReceivedMessage) => boolean) =>
          runCli(
            [
              'run',
              '--clock-start',
              from,
              '--clock-speed',
              '3600',
              '--until',
              until,
              '--quiet',
              '--programme',
              dir,
            ],
            {},
            pick ? (kill) => (killOn = { pick, kill }) : undefined,
          );
        const cli = (args: string[]) => runCli([...args, '--programme', dir]);

        // 1. The warnings go out; the sender is killed while the server holds the first warning of a
        // 16 February user (X) unanswered; the other 16 February user's (Y) is still pending.
        const [x, y] = second as [string, string];
        const killed = await run('2027-02-01', '2027-02-03', (m) =>
          second.some((a) => m.envelope.to.includes(a)),
        );
        assert.equal(killed.signal, 'SIGKILL', killed.stderr);
        const heldOne = held.at(-1)!;
        const heldUser = second.find((a) => heldOne.envelope.to.includes(a))!;
        const other = heldUser === x ? y : x;
        const mid = await ledger();
        assert.equal(
          mid.find((n) => n.subject === heldUser && n.kind === 'warning')?.state,
          'sending',
          'the killed sender left its warning mid-send',
        );
        assert.equal(mid.find((n) => n.subject === other && n.kind === 'warning')?.state, 'pending');

        // 2. People act: both 16 February users are held (the pending warning is cancelled with the
        // reason); the two told 15 February users move to 1 March and are owed a rescheduled notice.
        const hold = await cli(['mailbox', 'hold', x, y, '--reason', 'trust asked to wait', '--json']);
        assert.equal(hold.status, 0, hold.stderr);
        assert.equal((JSON.parse(hold.stdout) as { notices: { cancelled: number } }).notices.cancelled, 1);
        const move = await cli(['mailbox', 'move', ...first, '--to', '2027-03-01', '--json']);
        assert.equal(move.status, 0, move.stderr);
        assert.equal(
          (JSON.parse(move.stdout) as { notices: { rescheduled: number } }).notices.rescheduled,
          2,
        );

        // 3. The sender is killed again, while the server holds the first rescheduled notice; then it
        // runs to the end.
        const rescheduled = (m: ReceivedMessage) => first.some((a) => m.envelope.to.includes(a));
        const again = await run('2027-02-02T12:00:00Z', '2027-02-05', rescheduled);
        assert.equal(again.signal, 'SIGKILL', again.stderr);
        const last = await run('2027-02-02T12:00:00Z', '2027-02-05');
        assert.equal(last.status, 0, last.stderr);

        // Counted per user in what the server accepted: each notice once, the cancelled ones never.
        const rows = await ledger();
        assert.deepEqual(
          rows.filter((n) => n.state !== 'sent' && n.state !== 'cancelled'),
          [],
          'every notice ended sent or cancelled',
        );
        const accepted = sink.messages.slice(start);
        const ids = accepted.map((m) => m.messageId);
        assert.equal(new Set(ids).size, ids.length, 'no message accepted twice');
        for (const [address, day] of days) {
          const kinds = receivedBy(address)
            .filter((m) => accepted.includes(m))
            .map((m) => rows.find((n) => n.message_id === m.messageId)?.kind ?? `unknown ${m.subject}`)
            .sort();
          const expected = first.includes(address)
            ? ['rescheduled', 'warning']
            : second.includes(address)
              ? []
              : day <= '2027-02-18'
                ? ['warning']
                : [];
          assert.deepEqual(kinds, expected, `${address} (day ${day})`);
        }
        for (const address of second) {
          const warning = rows.find((n) => n.subject === address && n.kind === 'warning')!;
          assert.equal(warning.state, 'cancelled', address);
          assert.match(
            warning.error ?? '',
            address === heldUser ? /day changed \(now none\)/ : /held: trust asked to wait/,
          );
        }
        assert.equal(
          held.slice(heldBefore).filter((m) => rescheduled(m)).length,
          1,
          'one rescheduled notice was held and killed',
        );
        for (const address of first) {
          const notice = rows.find((n) => n.subject === address && n.kind === 'rescheduled')!;
          assert.equal(notice.day, '2027-03-01');
          assert.equal(notice.state, 'sent');
        }
      } finally {
        await db.destroy();
      }
    });
  });
}
