import type { NoticeKind } from '../notice-kind.js';
import type { NoticeTemplate } from './notice-template.js';

// The built-in notices. Users read them, not operators: plain words, what happens, when, what to
// do, whom to ask. Each is plain Mustache once assembled, the same language an override file uses
// (docs/notices.md), so any of them can be copied into a templates directory and edited.

/** Whom to ask, at the foot of every notice (lines of a section tag alone on a line vanish). */
const HELP_TEXT = `If you have a question, contact {{helpdeskName}}.
{{#helpdeskAddress}}
E-mail: {{helpdeskAddress}}
{{/helpdeskAddress}}
{{#helpdeskPhone}}
Phone: {{helpdeskPhone}}
{{/helpdeskPhone}}

The {{programme}} team
`;

const HELP_HTML = `<p style="margin:24px 0 0;padding-top:16px;border-top:1px solid #ddd">If you have a question, contact {{helpdeskName}}.
{{#helpdeskAddress}}
<br>E-mail: <a href="mailto:{{helpdeskAddress}}">{{helpdeskAddress}}</a>
{{/helpdeskAddress}}
{{#helpdeskPhone}}
<br>Phone: {{helpdeskPhone}}
{{/helpdeskPhone}}
</p>
<p>The {{programme}} team</p>`;

/** A whole HTML message around BODY: one column, inline styles (mail clients drop style sheets). */
const page = (title: string, body: string): string => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f4">
<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">
${body.trim()}
${HELP_HTML}
</div>
</body>
</html>
`;

/** A highlighted line for the one fact a notice is about (the day, the new address). */
const key = (html: string): string =>
  `<p style="margin:16px 0;padding:12px 16px;background:#eef4fb;border-left:4px solid #1d5fa8;font-size:18px">${html}</p>`;

const heading = (text: string): string => `<h2 style="font-size:18px;margin:24px 0 8px">${text}</h2>`;

const list = (items: string[]): string =>
  `<ul style="padding-left:20px;margin:0">\n${items.map((item) => `<li style="margin-bottom:6px">${item}</li>`).join('\n')}\n</ul>`;

const warning: NoticeTemplate = {
  subject: 'Your mailbox moves to the new mail service on {{date}}',
  text: `Dear {{name}},

Your mailbox is moving to a new mail service on {{date}},
as part of {{programme}}.

  Move day:          {{date}}
  Your new address:  {{newAddress}}

What happens
- Until {{date}}, keep using your mailbox as usual.
  In the days before, we copy your mail and folders to the new service
  in the background.
- On {{date}} at {{cutoverTime}}, we copy the last of your mail
  and your new mailbox takes over.
- We will e-mail you when your new mailbox is ready.

What to do before {{date}}
- Delete mail you no longer need and empty your Deleted Items (Trash)
  folder: a smaller mailbox moves faster.
- Make a note of your new address: {{newAddress}}.
- After {{cutoverTime}} on {{date}}, do not file or send mail
  from your old mailbox: changes made there after that time may not
  be copied.
- If you read mail on a phone or tablet, you may need to set it up again
  after the move.

You do not need to reply to this message.
If {{date}} is a real problem for you, contact {{helpdeskName}}
as soon as you can.

${HELP_TEXT}`,
  html: page(
    'Your mailbox moves on {{date}}',
    `
<p>Dear {{name}},</p>
<p>Your mailbox is moving to a new mail service as part of {{programme}}.</p>
${key('Move day: <strong>{{date}}</strong><br>Your new address: <strong>{{newAddress}}</strong>')}
${heading('What happens')}
${list([
  'Until {{date}}, keep using your mailbox as usual. In the days before, we copy your mail and folders to the new service in the background.',
  'On {{date}} at {{cutoverTime}}, we copy the last of your mail and your new mailbox takes over.',
  'We will e-mail you when your new mailbox is ready.',
])}
${heading('What to do before {{date}}')}
${list([
  'Delete mail you no longer need and empty your Deleted Items (Trash) folder: a smaller mailbox moves faster.',
  'Make a note of your new address: <strong>{{newAddress}}</strong>.',
  'After {{cutoverTime}} on {{date}}, do not file or send mail from your old mailbox: changes made there after that time may not be copied.',
  'If you read mail on a phone or tablet, you may need to set it up again after the move.',
])}
<p>You do not need to reply to this message. If {{date}} is a real problem for you, contact {{helpdeskName}} as soon as you can.</p>`,
  ),
};

const reminder: NoticeTemplate = {
  subject: 'Reminder: your mailbox moves on {{date}}',
  text: `Dear {{name}},

A reminder: your mailbox moves to the new mail service on {{date}}.

  Move day:          {{date}}, at {{cutoverTime}}
  Your new address:  {{newAddress}}

What to do
- Keep using your mailbox as usual until {{cutoverTime}} on {{date}}.
- After that time, do not file or send mail from your old mailbox: changes
  made there may not be copied.
- We will e-mail you when your new mailbox is ready. Until then, nothing
  else is needed from you.

${HELP_TEXT}`,
  html: page(
    'Reminder: your mailbox moves on {{date}}',
    `
<p>Dear {{name}},</p>
<p>A reminder: your mailbox moves to the new mail service on {{date}}.</p>
${key('Move day: <strong>{{date}}</strong>, at {{cutoverTime}}<br>Your new address: <strong>{{newAddress}}</strong>')}
${heading('What to do')}
${list([
  'Keep using your mailbox as usual until {{cutoverTime}} on {{date}}.',
  'After that time, do not file or send mail from your old mailbox: changes made there may not be copied.',
  'We will e-mail you when your new mailbox is ready. Until then, nothing else is needed from you.',
])}`,
  ),
};

const success: NoticeTemplate = {
  subject: 'Your new mailbox {{newAddress}} is ready',
  text: `Dear {{name}},

Your mailbox has moved. Your new mailbox is ready to use:

  {{newAddress}}

Your mail and folders have been copied from your old mailbox
({{oldAddress}}).
{{#skippedItems}}

Some items could not be moved: {{skippedItems}} message(s) or folder(s)
that were damaged in your old mailbox or that the new service refused.
They are still in your old mailbox, and the helpdesk has the list.
{{/skippedItems}}

What to do now
- Sign in to the new mail service as {{newAddress}}.
- Check that your folders and your most recent mail are there.
- If you read mail on a phone or tablet, set it up again for the new
  mailbox.
- Stop using your old mailbox: nothing more is copied from it.

If something is missing or does not work, tell us: your old mailbox has
not been deleted, so nothing is lost.

${HELP_TEXT}`,
  html: page(
    'Your new mailbox is ready',
    `
<p>Dear {{name}},</p>
<p>Your mailbox has moved. Your new mailbox is ready to use:</p>
${key('<strong>{{newAddress}}</strong>')}
<p>Your mail and folders have been copied from your old mailbox ({{oldAddress}}).</p>
{{#skippedItems}}<p><strong>Some items could not be moved:</strong> {{skippedItems}} message(s) or folder(s) that were damaged in your old mailbox or that the new service refused. They are still in your old mailbox, and the helpdesk has the list.</p>{{/skippedItems}}
${heading('What to do now')}
${list([
  'Sign in to the new mail service as <strong>{{newAddress}}</strong>.',
  'Check that your folders and your most recent mail are there.',
  'If you read mail on a phone or tablet, set it up again for the new mailbox.',
  'Stop using your old mailbox: nothing more is copied from it.',
])}
<p>If something is missing or does not work, tell us: your old mailbox has not been deleted, so nothing is lost.</p>`,
  ),
};

// Sent to the organisation's admins and the helpdesk, not to the user: it speaks of the user.
const failure: NoticeTemplate = {
  subject:
    'Mailbox move failed: {{oldAddress}}{{#organisationCode}} ({{organisationCode}}){{/organisationCode}}',
  text: `Hello,

The move of this mailbox did not complete:

  Mailbox:       {{oldAddress}}
  User:          {{name}}
{{#organisation}}
  Organisation:  {{organisation}} ({{organisationCode}})
{{/organisation}}
  Move day:      {{date}}
  New mailbox:   {{newAddress}}
  Reason:        {{reason}}

What this means
- The user's mail is still in the old mailbox: nothing has been deleted.
- The user has not been told that the move is complete.

What to do
- Fix the cause given above. For example, a refused login needs the
  account's password or permissions checked; a full mailbox needs more
  space on the new service.
- Then ask the {{programme}} team to schedule the mailbox again.

${HELP_TEXT}`,
  html: page(
    'Mailbox move failed: {{oldAddress}}',
    `
<p>Hello,</p>
<p>The move of this mailbox did not complete:</p>
<table style="border-collapse:collapse;margin:16px 0">
<tr><td style="padding:4px 16px 4px 0;color:#555">Mailbox</td><td style="padding:4px 0"><strong>{{oldAddress}}</strong></td></tr>
<tr><td style="padding:4px 16px 4px 0;color:#555">User</td><td style="padding:4px 0">{{name}}</td></tr>
{{#organisation}}
<tr><td style="padding:4px 16px 4px 0;color:#555">Organisation</td><td style="padding:4px 0">{{organisation}} ({{organisationCode}})</td></tr>
{{/organisation}}
<tr><td style="padding:4px 16px 4px 0;color:#555">Move day</td><td style="padding:4px 0">{{date}}</td></tr>
<tr><td style="padding:4px 16px 4px 0;color:#555">New mailbox</td><td style="padding:4px 0">{{newAddress}}</td></tr>
<tr><td style="padding:4px 16px 4px 0;color:#555">Reason</td><td style="padding:4px 0;color:#a31515">{{reason}}</td></tr>
</table>
${heading('What this means')}
${list([
  "The user's mail is still in the old mailbox: nothing has been deleted.",
  'The user has not been told that the move is complete.',
])}
${heading('What to do')}
${list([
  "Fix the cause given above. For example, a refused login needs the account's password or permissions checked; a full mailbox needs more space on the new service.",
  'Then ask the {{programme}} team to schedule the mailbox again.',
])}`,
  ),
};

const rescheduled: NoticeTemplate = {
  subject: 'New date for your mailbox move: {{date}}',
  text: `Dear {{name}},

The move of your mailbox to the new mail service has a new date.

  New move day:  {{date}}, at {{cutoverTime}}
  (It was {{previousDate}}: please ignore that date.)

Everything else stays the same: keep using your mailbox as usual
until {{cutoverTime}} on {{date}}, and we will e-mail you when
your new mailbox {{newAddress}} is ready.

We are sorry for any trouble the change causes.

${HELP_TEXT}`,
  html: page(
    'New date for your mailbox move: {{date}}',
    `
<p>Dear {{name}},</p>
<p>The move of your mailbox to the new mail service has a new date.</p>
${key('New move day: <strong>{{date}}</strong>, at {{cutoverTime}}<br><span style="font-size:15px;color:#555">It was {{previousDate}}: please ignore that date.</span>')}
<p>Everything else stays the same: keep using your mailbox as usual until {{cutoverTime}} on {{date}}, and we will e-mail you when your new mailbox <strong>{{newAddress}}</strong> is ready.</p>
<p>We are sorry for any trouble the change causes.</p>`,
  ),
};

// To the organisation's admins each morning: yesterday's moves and failures, the week ahead.
const digest: NoticeTemplate = {
  subject: '{{organisation}}: mailbox moves, {{digestDate}}',
  text: `Hello,

This is the daily summary of mailbox moves for
{{organisation}} ({{organisationCode}}), part of {{programme}}, on {{digestDate}}.

Moved yesterday: {{moved.length}}
{{#moved}}
- {{name}} <{{address}}>
{{/moved}}

Failed yesterday: {{failed.length}}
{{#failed}}
- {{name}} <{{address}}>, due {{day}}: {{reason}}
{{/failed}}
{{#failed.length}}
A failed mailbox keeps all its mail in the old mailbox. Please fix the
cause given, then ask the {{programme}} team to schedule it again.
{{/failed.length}}

Moving in the next 7 days: {{upcoming.length}}
{{#upcoming}}
- {{day}}: {{name}} <{{address}}>
{{/upcoming}}

Each list shows at most 200 mailboxes.

${HELP_TEXT}`,
  html: page(
    '{{organisation}}: mailbox moves, {{digestDate}}',
    `
<p>Hello,</p>
<p>This is the daily summary of mailbox moves for {{organisation}} ({{organisationCode}}), part of {{programme}}, on {{digestDate}}.</p>
${heading('Moved yesterday: {{moved.length}}')}
{{#moved.length}}
<ul style="padding-left:20px;margin:0">
{{#moved}}
<li>{{name}} &lt;{{address}}&gt;</li>
{{/moved}}
</ul>
{{/moved.length}}
${heading('Failed yesterday: {{failed.length}}')}
{{#failed.length}}
<ul style="padding-left:20px;margin:0">
{{#failed}}
<li>{{name}} &lt;{{address}}&gt;, due {{day}}: <span style="color:#a31515">{{reason}}</span></li>
{{/failed}}
</ul>
<p>A failed mailbox keeps all its mail in the old mailbox. Please fix the cause given, then ask the {{programme}} team to schedule it again.</p>
{{/failed.length}}
${heading('Moving in the next 7 days: {{upcoming.length}}')}
{{#upcoming.length}}
<ul style="padding-left:20px;margin:0">
{{#upcoming}}
<li>{{day}}: {{name}} &lt;{{address}}&gt;</li>
{{/upcoming}}
</ul>
{{/upcoming.length}}
<p style="color:#555;font-size:14px">Each list shows at most 200 mailboxes.</p>`,
  ),
};

/** The built-in template of every kind; a templates directory may override any of them. */
export const DEFAULT_TEMPLATES: Readonly<Record<NoticeKind, NoticeTemplate>> = {
  warning,
  reminder,
  success,
  failure,
  rescheduled,
  digest,
};
