import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT } from '../../cli/exit-codes.js';
import { TrancheError } from '../../errors/tranche-error.js';
import type { NoticesConfig } from '../../programme/config/config.js';
import { openStateStore } from '../../state/open-state-store.js';
import { runCli } from '../../testing/sync-fixture.js';
import { NOTICE_KINDS, type NoticeKind, type NoticeVariables } from '../notice-kind.js';
import { loadNoticeTemplates } from './notice-templates.js';
import { insertEndpoints } from '../../testing/state-rows.js';

const SAMPLE: NoticeVariables = {
  programme: 'National Mail Move',
  organisation: 'Trust A',
  organisationCode: 'NHS-A',
  helpdeskName: 'the Service Desk',
  helpdeskAddress: 'help@move.example.org',
  helpdeskPhone: '0300 123 4567',
  name: 'Ann <b>& Co',
  oldAddress: 'ann@old.example.org',
  newAddress: 'ann@new.example.org',
  date: 'Monday 18 January 2027',
  isoDate: '2027-01-18',
  cutoverTime: '18:00 UTC',
  previousDate: 'Friday 15 January 2027',
  reason: 'login refused: target: AUTHENTICATE failed',
  digestDate: 'Tuesday 19 January 2027',
  moved: [{ address: 'bob@old.example.org', name: 'Bob <Ops>', day: 'Monday 18 January 2027', reason: '' }],
  failed: [
    {
      address: 'cat@old.example.org',
      name: 'Cat',
      day: 'Monday 18 January 2027',
      reason: 'target mailbox full: Quota exceeded',
    },
  ],
  upcoming: [{ address: 'dan@old.example.org', name: 'Dan', day: 'Friday 22 January 2027', reason: '' }],
};

/** What each kind's notice must say, in its subject and in both bodies. */
const KEY_VALUES: Record<NoticeKind, string[]> = {
  warning: ['Monday 18 January 2027', 'ann@new.example.org', '18:00 UTC'],
  reminder: ['Monday 18 January 2027', '18:00 UTC'],
  success: ['ann@new.example.org'],
  failure: ['ann@old.example.org', 'login refused: target: AUTHENTICATE failed', 'Trust A'],
  rescheduled: ['Monday 18 January 2027', 'Friday 15 January 2027'],
  digest: ['Trust A', 'bob@old.example.org', 'cat@old.example.org', 'Quota exceeded', 'dan@old.example.org'],
};

const notices = (templatesDir?: string): NoticesConfig => ({
  from: 'Mail move <moves@example.org>',
  helpdesk: { name: 'the Service Desk', address: 'help@move.example.org', phone: undefined },
  warningDays: 14,
  reminderDays: 1,
  digestTime: '07:00',
  templatesDir,
  smtp: {
    url: 'smtp://127.0.0.1:2525',
    user: undefined,
    passwordFile: undefined,
    insecure: false,
    ratePerMinute: 600,
  },
});

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'tranche-templates-'));

/** Writes FILES (path relative to a new templates directory → text) and returns the directory. */
function templatesDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A whole override of KIND in FOLDER ('' for the programme's), each part saying WHO. */
function override(kind: NoticeKind, who: string, folder = ''): Record<string, string> {
  const [day, name] = kind === 'digest' ? ['digestDate', 'organisation'] : ['date', 'name'];
  return {
    [join(folder, `${kind}.subject`)]: `${who} subject {{${day}}}\n`,
    [join(folder, `${kind}.txt`)]: `${who} text {{${name}}}\n`,
    [join(folder, `${kind}.html`)]: `<p>${who} html {{${name}}}</p>\n`,
  };
}

/** Loading DIR fails with a one-line usage error matching PATTERN. */
function refused(dir: string, pattern: RegExp): void {
  assert.throws(
    () => loadNoticeTemplates(notices(dir)),
    (error: unknown) => {
      assert.ok(error instanceof TrancheError);
      assert.equal(error.type, 'usage');
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes('\n'), error.message);
      return true;
    },
  );
}

describe('built-in notice templates', () => {
  const templates = loadNoticeTemplates(notices());
  for (const kind of NOTICE_KINDS)
    test(`${kind}: renders every part with its key facts, HTML escaped and text as is`, () => {
      const notice = templates.render(kind, SAMPLE);
      for (const part of ['subject', 'text', 'html'] as const) {
        assert.ok(notice[part].trim().length > 0, `${kind}.${part} is empty`);
        assert.ok(!notice[part].includes('{{'), `${kind}.${part}: ${notice[part]}`);
        assert.ok(!notice[part].includes('}}'), `${kind}.${part}: ${notice[part]}`);
      }
      assert.ok(!notice.subject.includes('\n'));
      for (const value of KEY_VALUES[kind]) {
        assert.ok(notice.text.includes(value), `${kind} text lacks ${value}`);
        assert.ok(notice.html.includes(value), `${kind} html lacks ${value}`);
      }
      assert.ok(notice.text.includes('help@move.example.org'));
      assert.ok(notice.text.includes('0300 123 4567'));
      if (kind === 'digest') {
        assert.ok(notice.text.includes('Bob <Ops>'));
        assert.ok(notice.html.includes('Bob &lt;Ops&gt;'));
        assert.ok(!notice.html.includes('Bob <Ops>'));
      } else {
        assert.ok(notice.text.includes('Ann <b>& Co'), notice.text);
        assert.ok(notice.html.includes('Ann &lt;b&gt;&amp; Co'));
        assert.ok(!notice.html.includes('<b>&'));
      }
    });

  test('a variable missing at render time renders empty; optional helpdesk lines vanish', () => {
    for (const kind of NOTICE_KINDS) {
      const notice = templates.render(kind, {
        programme: 'P',
        organisation: '',
        organisationCode: '',
        helpdeskName: 'the desk',
        helpdeskAddress: '',
        helpdeskPhone: '',
      });
      assert.ok(!notice.text.includes('{{'));
      assert.ok(!notice.text.includes('Phone:'), notice.text);
      assert.ok(!notice.text.includes('E-mail:'), notice.text);
    }
  });

  test('only the built-in ones without a templates directory', () => {
    assert.deepEqual(templates.organisations(), []);
    assert.equal(templates.source('warning', 'NHS-A'), 'built-in');
  });
});

describe('override templates', () => {
  test('an organisation override, then the programme override, then the built-in template', () => {
    const dir = templatesDir({
      ...override('warning', 'programme'),
      ...override('warning', 'trust-a', 'NHS-A'),
      ...override('success', 'trust-a', 'NHS-A'),
      '.gitkeep': '',
    });
    const templates = loadNoticeTemplates(notices(dir));
    assert.deepEqual(templates.organisations(), ['NHS-A']);

    const own = templates.render('warning', SAMPLE, 'NHS-A');
    assert.equal(own.subject, 'trust-a subject Monday 18 January 2027');
    assert.equal(own.text, 'trust-a text Ann <b>& Co\n');
    assert.equal(own.html, '<p>trust-a html Ann &lt;b&gt;&amp; Co</p>\n');
    assert.equal(templates.source('warning', 'NHS-A'), join(dir, 'NHS-A'));

    assert.equal(
      templates.render('warning', SAMPLE, 'NHS-B').subject,
      'programme subject Monday 18 January 2027',
    );
    assert.equal(templates.render('warning', SAMPLE).text, 'programme text Ann <b>& Co\n');
    assert.equal(templates.source('warning'), dir);

    assert.equal(
      templates.render('success', SAMPLE, 'NHS-A').subject,
      'trust-a subject Monday 18 January 2027',
    );
    assert.match(
      templates.render('success', SAMPLE, 'NHS-B').subject,
      /^Your new mailbox ann@new\.example\.org/,
    );
    assert.equal(templates.source('reminder', 'NHS-A'), 'built-in');
  });

  test('a digest override may use its lists, their entries and their lengths', () => {
    const dir = templatesDir({
      'digest.subject': '{{organisation}}: {{moved.length}} moved\n',
      'digest.txt':
        '{{#failed}}{{name}} ({{reason}}) of {{organisation}}\n{{/failed}}{{^upcoming}}none{{/upcoming}}\n',
      'digest.html': '{{! a comment }}<ul>{{#moved}}<li>{{address}}</li>{{/moved}}</ul>\n',
    });
    const notice = loadNoticeTemplates(notices(dir)).render('digest', SAMPLE);
    assert.equal(notice.subject, 'Trust A: 1 moved');
    assert.equal(notice.text, 'Cat (target mailbox full: Quota exceeded) of Trust A\n\n');
    assert.equal(notice.html, '<ul><li>bob@old.example.org</li></ul>\n');
  });

  test('an organisation folder is accepted at load whatever its code; the store checks codes later', () => {
    const dir = templatesDir(override('reminder', 'x', 'NO-SUCH-ORG'));
    assert.deepEqual(loadNoticeTemplates(notices(dir)).organisations(), ['NO-SUCH-ORG']);
  });
});

describe('override templates refused, each with one line naming the file', () => {
  test('templatesDir missing, or a file', () => {
    const missing = join(tempDir(), 'nope');
    refused(missing, new RegExp(`notices\\.templatesDir ${missing} is not a directory`));
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    refused(file, /is not a directory/);
  });

  test('a file of an unknown kind or with an unknown extension', () => {
    const typo = templatesDir({ ...override('warning', 'p'), 'warnng.txt': 'x' });
    refused(typo, new RegExp(`unknown template file ${join(typo, 'warnng.txt')}: no notice kind 'warnng'`));
    const ext = templatesDir({ 'warning.md': 'x' });
    refused(ext, new RegExp(`unknown template file ${join(ext, 'warning.md')}: extension not known`));
    const nested = templatesDir({ 'NHS-A/warning.txt': 'x' });
    refused(nested, new RegExp(`missing template: ${join(nested, 'NHS-A', 'warning.subject')}`));
    const deep = templatesDir({ 'NHS-A/old/warning.txt': 'x' });
    refused(deep, new RegExp(`unexpected folder ${join(deep, 'NHS-A', 'old')}`));
  });

  test('a kind with some of its three parts but not all', () => {
    const dir = templatesDir({ 'warning.subject': 'S {{date}}', 'warning.txt': 'T {{date}}' });
    refused(dir, new RegExp(`^missing template: ${join(dir, 'warning.html')} `));
    const org = templatesDir({ ...override('warning', 'p'), 'NHS-A/failure.html': '<p>{{reason}}</p>' });
    refused(org, new RegExp(`^missing template: ${join(org, 'NHS-A', 'failure.subject')} `));
  });

  test('a Mustache syntax error, with its line', () => {
    const dir = templatesDir({
      ...override('digest', 'p'),
      'digest.txt': 'Hello\n{{#moved}}\n- {{address}}\n',
    });
    refused(
      dir,
      new RegExp(
        `^template syntax error in ${join(dir, 'digest.txt')} \\(line \\d\\): Unclosed section "moved"`,
      ),
    );
    const tag = templatesDir({ ...override('success', 'p'), 'success.subject': 'Ready {{newAddress' });
    refused(tag, new RegExp(`template syntax error in ${join(tag, 'success.subject')}.*Unclosed tag`));
  });

  test('a variable the kind does not have', () => {
    const dir = templatesDir({
      ...override('warning', 'p'),
      'warning.txt': 'Dear {{name}},\nDear {{nmae}}\n',
    });
    refused(
      dir,
      new RegExp(
        `^unknown variable \\{\\{nmae\\}\\} in ${join(dir, 'warning.txt')} \\(line 2\\); warning templates may use: programme, organisation, .*cutoverTime$`,
      ),
    );
    // Each kind its own: a warning knows no reason, a digest no mailbox date.
    refused(
      templatesDir({ ...override('warning', 'p'), 'warning.html': '{{#reason}}x{{/reason}}' }),
      /\{\{#reason\}\} in .*warning\.html/,
    );
    refused(
      templatesDir({ ...override('digest', 'p', 'NHS-A'), 'NHS-A/digest.subject': 'Moves on {{date}}' }),
      /unknown variable \{\{date\}\} in .*NHS-A\/digest\.subject/,
    );
    refused(
      templatesDir({ ...override('digest', 'p'), 'digest.txt': '{{address}}' }),
      /\{\{address\}\} outside a list in .*digest\.txt.*only known inside \{\{#moved\}\}/,
    );
  });

  test('partials and unescaped HTML', () => {
    const partial = templatesDir({ ...override('success', 'p'), 'success.txt': '{{> footer}}' });
    refused(
      partial,
      new RegExp(`partials such as \\{\\{> footer\\}\\} are not allowed: ${join(partial, 'success.txt')}`),
    );
    const raw = templatesDir({ ...override('success', 'p'), 'success.html': '<p>{{{name}}}</p>' });
    refused(raw, new RegExp(`unescaped variable \\{\\{\\{name\\}\\}\\} in ${join(raw, 'success.html')}`));
    // In text, {{{name}}} is the same as {{name}}: allowed.
    const text = templatesDir({ ...override('success', 'p'), 'success.txt': '{{{name}}} {{&name}}' });
    assert.equal(
      loadNoticeTemplates(notices(text)).render('success', SAMPLE).text,
      'Ann <b>& Co Ann <b>& Co',
    );
  });

  test('an empty part', () => {
    const dir = templatesDir({ ...override('reminder', 'p'), 'reminder.subject': '\n' });
    refused(dir, new RegExp(`template ${join(dir, 'reminder.subject')} is empty`));
  });
});

test('tranche notices preview: a mailbox notice and a digest, each part, JSON; no notices section is a usage error', async () => {
  const dir = join(tempDir(), 'programme');
  const init = await runCli(['init', dir, '--name', 'National Mail Move']);
  assert.equal(init.status, EXIT.ok, init.stderr);
  const db = await openStateStore(join(dir, 'state.sqlite'));
  try {
    await insertEndpoints(db, ['old', 'new']);
    await db.insertInto('organisation').values({ code: 'NHS-A', name: 'Trust A' }).execute();
    await db
      .insertInto('mailbox')
      .values({
        address: 'ann@a.example.org',
        organisation: 'NHS-A',
        display_name: 'Ann <b>&',
        source_endpoint: 'old',
        source_user: 'ann',
        source_secret: null,
        target_endpoint: 'new',
        target_user: 'ann@new.example.org',
        target_secret: null,
        notify_address: 'ann@a.example.org',
        batch_day: '2027-01-18',
        state: 'scheduled',
      })
      .execute();
  } finally {
    await db.destroy();
  }
  const preview = (args: string[]) => runCli(['notices', 'preview', ...args, '--programme', dir]);

  const none = await preview(['warning', '--mailbox', 'ann@a.example.org']);
  assert.equal(none.status, EXIT.usage);
  assert.match(none.stderr, /^tranche: .*tranche\.yaml has no notices section: .*docs\/notices\.md/);

  appendFileSync(
    join(dir, 'tranche.yaml'),
    [
      'notices:',
      '  from: "Mail move <moves@example.org>"',
      '  helpdesk: { name: the Service Desk, address: help@example.org, phone: "0300 123 4567" }',
      "  smtp: { url: 'smtp://127.0.0.1:2525' }",
      '',
    ].join('\n'),
  );
  const warning = await preview(['warning', '--mailbox', 'ann@a.example.org']);
  assert.equal(warning.status, EXIT.ok, warning.stderr);
  assert.match(
    warning.stdout,
    /^Subject: Your mailbox moves to the new mail service on Monday 18 January 2027\n/,
  );
  assert.match(warning.stdout, /Template: built-in\n/);
  assert.match(warning.stdout, /----- text -----\nDear Ann <b>&,\n/);
  assert.match(warning.stdout, /----- html -----\n<!DOCTYPE html>/);
  assert.match(warning.stdout, /<p>Dear Ann &lt;b&gt;&amp;,<\/p>/);
  assert.match(warning.stdout, /ann@new\.example\.org/);

  const subject = await preview(['reminder', '--mailbox', 'ANN@a.example.org', '--part', 'subject']);
  assert.equal(subject.stdout, 'Reminder: your mailbox moves on Monday 18 January 2027\n');

  const json = await preview([
    'rescheduled',
    '--mailbox',
    'ann@a.example.org',
    '--previous-day',
    '2027-01-11',
    '--json',
  ]);
  assert.equal(json.status, EXIT.ok, json.stderr);
  const notice = JSON.parse(json.stdout) as { kind: string; template: string; subject: string; text: string };
  assert.equal(notice.kind, 'rescheduled');
  assert.equal(notice.template, 'built-in');
  assert.match(notice.text, /It was Monday 11 January 2027/);

  const digest = await preview(['digest', '--org', 'NHS-A', '--date', '2027-01-14', '--part', 'text']);
  assert.equal(digest.status, EXIT.ok, digest.stderr);
  assert.match(
    digest.stdout,
    /Moving in the next 7 days: 1\n- Monday 18 January 2027: Ann <b>& <ann@a\.example\.org>/,
  );

  for (const [args, pattern] of [
    [['rescheduled', '--mailbox', 'ann@a.example.org'], /has not been rescheduled: .*--previous-day/],
    [['warning', '--mailbox', 'nobody@a.example.org'], /no mailbox nobody@a\.example\.org in this programme/],
    [['digest', '--org', 'NHS-Z'], /no organisation NHS-Z in this programme/],
    [['digest', '--mailbox', 'ann@a.example.org'], /a digest needs --org CODE/],
    [['success', '--org', 'NHS-A'], /a success notice needs --mailbox ADDRESS/],
    [['digest', '--org', 'NHS-A', '--date', '2027-02-30'], /--date must be a date/],
    [['warnings', '--mailbox', 'ann@a.example.org'], /'warnings' is invalid for argument 'kind'/],
  ] as const) {
    const result = await preview([...args]);
    assert.equal(result.status, EXIT.usage, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }

  // A templates directory with a folder for an organisation the programme lacks is refused.
  const templates = templatesDir(override('warning', 'x', 'NHS-Q'));
  appendFileSync(join(dir, 'tranche.yaml'), `  templatesDir: ${JSON.stringify(templates)}\n`);
  const unknown = await preview(['warning', '--mailbox', 'ann@a.example.org']);
  assert.equal(unknown.status, EXIT.usage);
  assert.match(
    unknown.stderr,
    new RegExp(`organisation not in this programme: ${join(templates, 'NHS-Q')}/`),
  );
});
