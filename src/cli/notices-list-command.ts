import { Command, Option } from 'commander';
import { openProgramme } from './open-programme.js';
import { NOTICE_KINDS } from '../notify/notice-kind.js';
import { addProgrammeOption } from './programme-option.js';
import { formatCount } from './format.js';

interface ListFlags {
  mailbox?: string;
  org?: string;
  kind?: string;
  state?: string;
  limit: string;
  json?: boolean;
  programme: string;
}

/** `tranche notices list`: the ledger — what was sent, what waits, what failed or was called off. */
export function noticesListCommand(): Command {
  const command = new Command('list')
    .description('the notice ledger: sent, pending, failed and cancelled notices, newest first')
    .option('--mailbox <address>', "one mailbox's notices")
    .option('--org <code>', "one organisation's notices (its digests and its mailboxes')")
    .addOption(new Option('--kind <kind>', 'one kind').choices([...NOTICE_KINDS]))
    .addOption(
      new Option('--state <state>', 'one state').choices([
        'pending',
        'sending',
        'sent',
        'failed',
        'cancelled',
      ]),
    )
    .option('--limit <n>', 'at most this many rows', '100')
    .option('--json', 'print JSON');
  addProgrammeOption(command);
  command.action(async (flags: ListFlags) => {
    const programme = await openProgramme(flags.programme);
    try {
      let query = programme.db
        .selectFrom('notice')
        .select([
          'subject',
          'kind',
          'day',
          'organisation',
          'state',
          'due_at',
          'sent_at',
          'attempts',
          'recipients',
          'message_id',
          'error',
        ])
        .orderBy('created_at', 'desc')
        .orderBy('subject')
        .limit(Math.max(1, Number(flags.limit) || 100));
      if (flags.mailbox) query = query.where('subject', '=', flags.mailbox);
      if (flags.org) query = query.where('organisation', '=', flags.org);
      if (flags.kind) query = query.where('kind', '=', flags.kind);
      if (flags.state) query = query.where('state', '=', flags.state);
      const rows = await query.execute();
      const counts = await programme.db
        .selectFrom('notice')
        .select((eb) => ['state', eb.fn.countAll<string | number>().as('n')])
        .groupBy('state')
        .execute();
      if (flags.json) {
        const totals = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]));
        process.stdout.write(`${JSON.stringify({ totals, notices: rows }, null, 2)}\n`);
        return;
      }
      const lines = [
        `notices: ${counts.map((c) => `${formatCount(Number(c.n))} ${c.state}`).join(', ') || 'none yet'}`,
        ...rows.map(
          (n) =>
            `${n.day}  ${n.kind.padEnd(11)} ${n.state.padEnd(9)} ${n.subject}  ${
              n.state === 'sent'
                ? `sent ${n.sent_at?.slice(0, 16).replace('T', ' ')} to ${n.recipients ?? ''}`
                : n.state === 'pending'
                  ? `due ${n.due_at.slice(0, 16).replace('T', ' ')}${n.attempts ? ` (${n.attempts} failed tries)` : ''}`
                  : (n.error ?? '')
            }`,
        ),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await programme.db.destroy();
    }
  });
  return command;
}
