import { join } from 'node:path';
import { Argument, Command, Option } from 'commander';
import { noticesListCommand } from './notices-list-command.js';
import { parseDayOption } from './date-options.js';
import { TrancheError } from '../errors/tranche-error.js';
import { NOTICE_KINDS, type NoticeKind, type NoticeVariables } from '../notify/notice-kind.js';
import { digestVariables, mailboxNoticeVariables } from '../notify/notice-variables.js';
import type { TemplatePart } from '../notify/templates/notice-template.js';
import type { RenderedNotice } from '../notify/templates/rendered-notice.js';
import { CONFIG_FILE } from '../programme/config/config.js';
import { openProgramme } from './open-programme.js';
import { programmeNow } from '../report/programme-now.js';
import { addProgrammeOption } from './programme-option.js';

interface PreviewFlags {
  mailbox?: string;
  org?: string;
  date?: string;
  previousDay?: string;
  part?: TemplatePart;
  json?: boolean;
  programme: string;
}

const PREVIEW_HELP = `
Examples:
  tranche notices preview warning --mailbox ann@trust-a.example.org
  tranche notices preview rescheduled --mailbox ann@trust-a.example.org --previous-day 2027-03-01
  tranche notices preview digest --org TRUSTA --date 2027-03-04 --part text

The notice is rendered from the template in effect for the mailbox's organisation (its own override,
else the programme's, else the built-in one) with the variables it would be sent with; nothing is
sent. A failure notice shows the mailbox's last failure. Templates, variables and override files:
docs/notices.md.`;

/** The flags that go with KIND: a mailbox for a mailbox notice, an organisation for the digest. */
function checkFlags(kind: NoticeKind, flags: PreviewFlags): void {
  const wrong = (flag: string, why: string): never => {
    throw new TrancheError('usage', `${flag} does not go with a ${kind} notice: ${why}`);
  };
  if (flags.date !== undefined) parseDayOption(flags.date, '--date');
  if (flags.previousDay !== undefined) parseDayOption(flags.previousDay, '--previous-day');
  if (kind === 'digest') {
    if (flags.org === undefined) throw new TrancheError('usage', 'a digest needs --org CODE');
    if (flags.mailbox !== undefined) wrong('--mailbox', 'a digest is about an organisation (--org)');
    if (flags.previousDay !== undefined) wrong('--previous-day', 'it is for rescheduled notices');
    return;
  }
  if (flags.mailbox === undefined)
    throw new TrancheError('usage', `a ${kind} notice needs --mailbox ADDRESS`);
  if (flags.org !== undefined) wrong('--org', "the mailbox's own organisation is used");
  if (flags.date !== undefined) wrong('--date', "the mailbox's planned day is used");
  if (flags.previousDay !== undefined && kind !== 'rescheduled')
    wrong('--previous-day', 'it is for rescheduled notices');
}

function print(kind: NoticeKind, source: string, notice: RenderedNotice, flags: PreviewFlags): void {
  if (flags.json) {
    const parts = flags.part ? { [flags.part]: notice[flags.part] } : notice;
    process.stdout.write(`${JSON.stringify({ kind, template: source, ...parts }, null, 2)}\n`);
  } else if (flags.part) {
    process.stdout.write(notice[flags.part].endsWith('\n') ? notice[flags.part] : `${notice[flags.part]}\n`);
  } else {
    const block = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
    process.stdout.write(
      `Subject: ${notice.subject}\nTemplate: ${source}\n\n----- text -----\n${block(notice.text)}----- html -----\n${block(notice.html)}`,
    );
  }
}

/** `tranche notices preview`: one notice as it would go out, rendered from the state store. */
function previewCommand(): Command {
  const command = new Command('preview')
    .description('render a notice for a mailbox (or an organisation digest) and print it; nothing is sent')
    .addArgument(new Argument('<kind>', 'the notice').choices(NOTICE_KINDS))
    .option('--mailbox <address>', 'the mailbox the notice is about (all kinds but digest)')
    .option('--org <code>', 'digest: the organisation')
    .option('--date <date>', "digest: the digest's date (default: today on the programme clock)")
    .option('--previous-day <date>', "rescheduled: the day the user had been told (default: the mailbox's)")
    .addOption(new Option('--part <part>', 'print only this part').choices(['subject', 'text', 'html']))
    .option('--json', 'print JSON')
    .addHelpText('after', PREVIEW_HELP);
  addProgrammeOption(command);
  command.action(async (kind: NoticeKind, flags: PreviewFlags) => {
    checkFlags(kind, flags);
    const { config, db, templates } = await openProgramme(flags.programme);
    try {
      if (!templates)
        throw new TrancheError(
          'usage',
          `${join(config.dir, CONFIG_FILE)} has no notices section: add one (from, helpdesk, smtp) as docs/notices.md shows`,
        );
      let variables: NoticeVariables;
      if (kind === 'digest') {
        const date = flags.date ?? (await programmeNow(db)).toISOString().slice(0, 10);
        variables = await digestVariables(db, config, flags.org!, date);
      } else {
        variables = await mailboxNoticeVariables(db, config, flags.mailbox!, kind, {
          previousDay: flags.previousDay,
        });
        if (kind === 'rescheduled' && variables.previousDate === '')
          throw new TrancheError(
            'usage',
            `${flags.mailbox} has not been rescheduled: give the day the user had been told with --previous-day DATE`,
          );
      }
      const code = variables.organisationCode || undefined;
      print(kind, templates.source(kind, code), templates.render(kind, variables, code), flags);
    } finally {
      await db.destroy();
    }
  });
  return command;
}

/** `tranche notices`: the notices tranche sends users and organisations. */
export function noticesCommand(): Command {
  return new Command('notices')
    .description('the notices sent to users and organisations: preview one, list the ledger')
    .addCommand(previewCommand())
    .addCommand(noticesListCommand());
}
