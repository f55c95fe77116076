// Runs in the browser: the helpdesk's lookup and one mailbox's page (facts, actions, notices, passes,
// skipped items, audit trail). Served as the source text of this function (see dashboard-script.ts):
// it uses only its parameters and the DOM.
import type { MailboxDetail } from '../../report/mailbox-detail.js';
import type { MailboxNotice } from '../../report/mailbox-notices.js';
import type { passTable } from '../../report/pass-table.js';
import type { BrowserActions } from './browser-actions.js';
import type { BrowserKit } from './browser-kit.js';

/** Drawings the report layer shares with the CLI, sent to the browser as their source text. */
export interface SharedDrawings {
  passTable: typeof passTable;
}

/** The lookup and mailbox views; each fills MAIN from the API. */
export function browserMailbox(kit: BrowserKit, shared: SharedDrawings, actions: BrowserActions) {
  const { el, table, count, bytes, moment, api } = kit;
  const { redraw } = actions;

  function lookup(main: HTMLElement): Promise<void> {
    const input = el('input', {
      type: 'email',
      name: 'address',
      id: 'address',
      required: '',
      placeholder: 'name@example.org',
      autocomplete: 'off',
    });
    const form = el(
      'form',
      { id: 'lookup' },
      el('label', { for: 'address' }, 'Mailbox address '),
      input,
      el('button', { type: 'submit' }, 'Look up'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      location.assign(`/mailboxes/${encodeURIComponent((input as HTMLInputElement).value.trim())}`);
    });
    main.append(el('h1', {}, 'Helpdesk lookup'), form);
    return Promise.resolve();
  }

  async function mailbox(main: HTMLElement, address: string): Promise<void> {
    const r = await api<{ explanation: string[]; mailbox: MailboxDetail; notices: MailboxNotice[] }>(
      `/api/mailboxes/${encodeURIComponent(address)}`,
    );
    const m = r.mailbox;
    const passes = shared.passTable(m.passes, { moment, count, bytes });
    const facts: [string, string][] = [
      ['Organisation', m.organisation ? `${m.organisation.code} ${m.organisation.name ?? ''}` : '-'],
      [
        'State',
        m.state === 'done' && m.skippedTotal > 0
          ? `done with ${count(m.skippedTotal)} skipped item${m.skippedTotal === 1 ? '' : 's'}`
          : m.state,
      ],
      ['Day', m.batchDay ?? 'not planned'],
      ['Held', m.heldReason ?? '-'],
      ['Excluded', m.excludedReason ?? '-'],
      ['Told about', m.toldDay ?? '-'],
      ['Next step', m.nextStep ? `${m.nextStep} at ${moment(m.nextDueAt)}` : '-'],
      ['Last pass', moment(m.lastPassAt)],
      [
        'Copied',
        `${count(m.copiedMessages)} messages, ${bytes(m.copiedBytes)}${m.sizeBytes === null ? '' : ` of ${bytes(m.sizeBytes)}`}`,
      ],
      ...(m.kinds.calendars
        ? [
            [
              'Calendars',
              `${count(m.kinds.calendars.copied)} items copied${m.kinds.calendars.items === null ? '' : ` of ${count(m.kinds.calendars.items)}`}`,
            ] as [string, string],
          ]
        : []),
      ...(m.kinds.contacts
        ? [
            [
              'Contacts',
              `${count(m.kinds.contacts.copied)} copied${m.kinds.contacts.items === null ? '' : ` of ${count(m.kinds.contacts.items)}`}`,
            ] as [string, string],
          ]
        : []),
      ['Failure', m.lastFailure ? `${m.lastFailure.label}: ${m.lastFailure.reason ?? ''}` : '-'],
    ];
    const again = redraw(main, (page) => mailbox(page, address));
    main.append(
      el('h1', {}, `${m.address}${m.displayName ? ` (${m.displayName})` : ''}`),
      el('section', { id: 'explanation' }, ...r.explanation.map((line) => el('p', {}, line))),
      el(
        'dl',
        { id: 'facts' },
        ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)]),
      ),
      ...(await actions.actionPanel(actions.mailboxSpecs(m.address, m), again)),
      el('h2', {}, 'Notices'),
      r.notices.length === 0
        ? el('p', {}, 'No notice yet.')
        : table(
            ['notice', 'about day', 'state', 'sent', 'to'],
            r.notices.map((n) => [n.kind, n.day, n.state, moment(n.sentAt), n.recipients ?? '-']),
          ),
      el('h2', {}, 'Passes'),
      m.passes.length === 0 ? el('p', {}, 'No pass yet.') : table(passes.head, passes.rows, passes.numeric),
      el('h2', {}, `Skipped items (${count(m.skippedTotal)})`),
      m.skipped.length === 0
        ? el('p', {}, 'None.')
        : el(
            'div',
            { id: 'skipped' },
            table(
              ['folder', 'uid', 'size', 'kind', 'reason'],
              // UID 0 names a whole folder.
              m.skipped.map((s) => [
                s.folder,
                s.uid === 0 ? '-' : String(s.uid),
                s.uid === 0 ? '-' : bytes(s.size),
                s.kind,
                s.reason,
              ]),
              [false, true, true, false, false],
            ),
          ),
      await actions.auditSection({ mailbox: m.address }),
    );
  }

  return { lookup, mailbox };
}

/** The lookup and mailbox views, as the page's entry point receives them. */
export type BrowserMailbox = ReturnType<typeof browserMailbox>;
