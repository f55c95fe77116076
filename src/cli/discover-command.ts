import { Command } from 'commander';
import {
  discover,
  schedulingBlockers,
  type DiscoverReport,
  type LoginCounts,
} from '../programme/discover/discover.js';
import { openProgramme } from './open-programme.js';
import { createLogger } from '../log/logger.js';
import { addProgrammeOption } from './programme-option.js';
import { formatBytes, formatCount } from './format.js';

function logins(counts: LoginCounts): string {
  return Object.entries(counts)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([kind, n]) => `${formatCount(n ?? 0)} ${kind.replaceAll('-', ' ')}`)
    .join(', ');
}

function summary(r: DiscoverReport): string {
  const mail = `tranche discover: ${formatCount(r.mailboxes)} mailboxes; source logins: ${logins(r.source) || 'none'}; target logins: ${logins(r.target) || 'none'}; ${formatCount(r.messages)} messages, ${formatBytes(r.bytes)} on the sources`;
  if (r.davMailboxes === 0) return mail;
  return `${mail}\ncalendars and contacts of ${formatCount(r.davMailboxes)} mailboxes: source DAV logins: ${logins(r.sourceDav) || 'none'}; target DAV logins: ${logins(r.targetDav) || 'none'}; ${formatCount(r.calendars)} calendars with ${formatCount(r.calendarItems)} items, ${formatCount(r.addressbooks)} address books with ${formatCount(r.contacts)} contacts on the sources`;
}

/** `tranche discover`: check every login and measure every mailbox before anyone is scheduled. */
export function discoverCommand(): Command {
  const command = new Command('discover')
    .description(
      'log in to source and target of every mailbox; record login failures by kind, folders, messages, bytes',
    )
    .option('--org <code>', 'only this organisation')
    .option(
      '--report',
      'list what blocks scheduling (failed or missing logins) without logging in again; exit 1 if anything does',
    )
    .option('--json', 'print JSON');
  addProgrammeOption(command);
  command.action(async (flags: { org?: string; report?: boolean; json?: boolean; programme: string }) => {
    const programme = await openProgramme(flags.programme);
    try {
      if (flags.report) {
        const blockers = await schedulingBlockers(programme.db, flags.org);
        const text = flags.json
          ? JSON.stringify(blockers, null, 2)
          : blockers.length === 0
            ? 'nothing blocks scheduling: every login works'
            : [
                `${blockers.length} mailbox(es) can't be scheduled:`,
                ...blockers.map(
                  (b) => `  ${b.address}${b.organisation ? ` (${b.organisation})` : ''}: ${b.reason}`,
                ),
              ].join('\n');
        process.stdout.write(`${text}\n`);
        if (blockers.length > 0) process.exitCode = 1;
        return;
      }
      const report = await discover(programme.db, programme.box, flags.org, createLogger());
      process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : summary(report)}\n`);
    } finally {
      await programme.db.destroy();
    }
  });
  return command;
}
