// Runs in the browser: the day-to-day actions as forms, and the audit trail. Served as the source
// text of this function (see dashboard-script.ts): it uses only its parameter and the DOM.
import type { AuditRecord } from '../../state/audit/audit-entry.js';
import type { OperationResult } from '../../programme/operations/operation.js';
import type { EndpointLine } from '../../report/endpoint-lines.js';
import type { Area, Role } from '../auth/role.js';
import type { OperationAction } from '../auth/operation-roles.js';
import type { BrowserKit } from './browser-kit.js';

/** The caller as GET /api/me describes it: who, and what it may do. */
export interface Caller {
  name: string;
  role: Role;
  areas: Area[];
  organisations: string[] | null;
  actions: OperationAction[];
  oneMailbox: boolean;
  force: boolean;
}

/** A field an action's form asks for besides the reason. */
export type ActionField = 'to' | 'mailboxes' | 'bytes' | 'now';

/** One action a form can take: what it is called, where it posts, what it asks. */
export interface ActionSpec {
  action: OperationAction;
  label: string;
  /** The API path it POSTs to. */
  path: string;
  /** The mailboxes it acts on (mailbox actions). */
  addresses?: string[];
  fields?: ActionField[];
  /** The API refuses it without a reason. */
  reasonRequired?: boolean;
  /** The action may go inside the notice period (a move): the admin gets a "force" box. */
  forceable?: boolean;
}

/** The action forms and the audit trail, for the page views. */
export function browserActions(kit: BrowserKit) {
  const { el, api, table, moment, Refused } = kit;
  let caller: Promise<Caller> | undefined;
  // Labels point at their inputs by id; several forms of one action can share a page (servers).
  let forms = 0;

  /** Draws VIEW into MAIN afresh (after an action); returns MAIN. */
  const redraw = (main: HTMLElement, view: (main: HTMLElement) => Promise<void>) => async () => {
    main.replaceChildren();
    await view(main);
    return main;
  };

  /** The caller, asked once per page. */
  const me = (): Promise<Caller> => (caller ??= api<Caller>('/api/me'));

  /** POST a JSON body to an API path with the session cookie (the browser adds Origin and Sec-Fetch-Site). */
  async function post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as unknown;
    if (!response.ok)
      throw new Refused(response.status, (answer as { error?: string }).error ?? response.statusText);
    return answer as T;
  }

  const FIELD_INPUTS: Record<ActionField, { label: string; attrs: Record<string, string> }> = {
    to: { label: 'To day', attrs: { type: 'date', name: 'to', required: '' } },
    mailboxes: {
      label: 'Mailboxes',
      attrs: { type: 'number', name: 'mailboxes', min: '0', step: '1', required: '' },
    },
    bytes: { label: 'Bytes (optional)', attrs: { type: 'number', name: 'bytes', min: '0', step: '1' } },
    now: { label: 'Stop running steps now, at a safe point', attrs: { type: 'checkbox', name: 'now' } },
  };

  /** What the API said would happen (or did), as lines. */
  function resultLines(r: OperationResult): HTMLElement {
    return el(
      'ul',
      { class: 'result' },
      ...r.summary.map((line) => el('li', {}, line)),
      ...r.warnings.map((line) => el('li', { class: 'warning' }, line)),
    );
  }

  /**
   * One action's form: the fields and a reason; "Check" asks the API what would happen (a dry run)
   * and shows it with "Confirm" and "Cancel"; only "Confirm" changes anything. DONE is told after.
   */
  function actionForm(spec: ActionSpec, who: Caller, done: (r: OperationResult) => void): HTMLElement {
    const id = `${spec.action}-${++forms}`;
    const inputs = (spec.fields ?? []).map((f) => {
      const input = el('input', { ...FIELD_INPUTS[f].attrs, id: `${id}-${f}` }) as HTMLInputElement;
      return { name: f, input, label: el('label', { for: input.id }, FIELD_INPUTS[f].label) };
    });
    const reason = el('input', {
      type: 'text',
      name: 'reason',
      id: `${id}-reason`,
      placeholder: spec.reasonRequired ? 'Why (required)' : 'Why',
      ...(spec.reasonRequired ? { required: '' } : {}),
    }) as HTMLInputElement;
    const force =
      spec.forceable && who.force
        ? (el('input', { type: 'checkbox', name: 'force', id: `${id}-force` }) as HTMLInputElement)
        : undefined;
    const answer = el('div', { class: 'answer', 'aria-live': 'polite' });
    const check = el('button', { type: 'submit' }, `${spec.label}…`);
    const form = el(
      'form',
      { class: 'action', 'data-action': spec.action },
      el('strong', {}, spec.label),
      // A box before its words, a field after them.
      ...inputs.flatMap((i) => (i.input.type === 'checkbox' ? [i.input, i.label] : [i.label, i.input])),
      el('label', { for: reason.id }, 'Reason'),
      reason,
      ...(force
        ? [force, el('label', { for: force.id }, 'Go ahead inside the notice period (short notice)')]
        : []),
      check,
      answer,
    );
    const body = (confirm: boolean): Record<string, unknown> => {
      const fields: Record<string, unknown> = {};
      for (const i of inputs) fields[i.name] = i.input.type === 'checkbox' ? i.input.checked : i.input.value;
      return {
        ...fields,
        ...(spec.addresses ? { addresses: spec.addresses } : {}),
        reason: reason.value.trim(),
        force: force?.checked ?? false,
        confirm,
      };
    };
    const refused = (error: unknown): void => {
      answer.replaceChildren(
        el('p', { class: 'error' }, error instanceof Error ? error.message : String(error)),
      );
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      answer.replaceChildren(el('p', {}, 'Checking…'));
      post<OperationResult>(spec.path, body(false)).then((preview) => {
        const confirm = el('button', { type: 'button', class: 'confirm' }, 'Confirm');
        const cancel = el('button', { type: 'button', class: 'cancel' }, 'Cancel');
        cancel.addEventListener('click', () => answer.replaceChildren());
        confirm.addEventListener('click', () => {
          confirm.setAttribute('disabled', '');
          post<OperationResult>(spec.path, body(true)).then(done, refused);
        });
        answer.replaceChildren(
          el('p', {}, 'This will happen (nothing has changed yet):'),
          resultLines(preview),
          confirm,
          cancel,
        );
      }, refused);
    });
    return form;
  }

  /**
   * The actions of SPECS the caller may take, as forms in one section (nothing when it may take
   * none: an empty list). After a change, AGAIN redraws the page and the outcome is shown above it.
   */
  async function actionPanel(specs: ActionSpec[], again: () => Promise<HTMLElement>): Promise<HTMLElement[]> {
    const who = await me();
    const allowed = specs.filter(
      (s) => who.actions.includes(s.action) && !(who.oneMailbox && (s.addresses?.length ?? 2) > 1),
    );
    if (allowed.length === 0) return [];
    const done = (r: OperationResult): void => {
      void again().then((main) =>
        main.prepend(
          el('section', { id: 'done', class: 'done' }, el('p', {}, `Done (${r.action}):`), resultLines(r)),
        ),
      );
    };
    return [
      el(
        'section',
        { id: 'actions' },
        el('h2', {}, 'Actions'),
        ...allowed.map((s) => actionForm(s, who, done)),
      ),
    ];
  }

  /** Mailbox, organisation and endpoint actions of one mailbox's state, for its lookup. */
  function mailboxSpecs(
    address: string,
    m: { state: string; heldReason: string | null; excludedReason: string | null },
  ): ActionSpec[] {
    const on = (action: OperationAction, label: string, extra: Partial<ActionSpec> = {}): ActionSpec => ({
      action,
      label,
      path: `/api/mailboxes/${action}`,
      addresses: [address],
      ...extra,
    });
    const finished = m.state === 'done';
    const aside = m.heldReason !== null || m.excludedReason !== null;
    return [
      ...(m.state === 'failed' && !aside ? [on('retry', 'Retry')] : []),
      ...(!finished && m.state !== 'cutover' && !aside
        ? [on('move', 'Move to another day', { fields: ['to'], forceable: true })]
        : []),
      ...(m.heldReason !== null
        ? [on('release', 'Release')]
        : !finished && m.excludedReason === null
          ? [on('hold', 'Hold', { reasonRequired: true })]
          : []),
      ...(m.excludedReason !== null
        ? [on('include', 'Include again')]
        : !finished
          ? [on('exclude', 'Exclude', { reasonRequired: true })]
          : []),
    ];
  }

  /** An organisation's actions. */
  function organisationSpecs(code: string): ActionSpec[] {
    const path = (a: string) => `/api/organisations/${encodeURIComponent(code)}/${a}`;
    return [
      { action: 'move', label: 'Move the organisation', path: path('move'), fields: ['to'], forceable: true },
      { action: 'hold', label: 'Hold the organisation', path: path('hold'), reasonRequired: true },
      { action: 'release', label: 'Release the organisation', path: path('release') },
    ];
  }

  /** A day's actions (whole-programme callers only: the calendar is everyone's). */
  async function daySpecs(day: string, closed: boolean): Promise<ActionSpec[]> {
    if ((await me()).organisations !== null) return [];
    const path = (a: string) => `/api/days/${encodeURIComponent(day)}/${a}`;
    return [
      closed
        ? { action: 'open', label: 'Open the day', path: path('open') }
        : { action: 'close', label: 'Close the day', path: path('close'), reasonRequired: true },
      {
        action: 'capacity',
        label: 'Set its capacity',
        path: path('capacity'),
        fields: ['mailboxes', 'bytes'],
      },
    ];
  }

  /** The programme's servers, each with pause or resume for a caller that may (admins by default). */
  async function serverSection(again: () => Promise<HTMLElement>): Promise<HTMLElement[]> {
    const who = await me();
    if (who.organisations !== null || !who.actions.some((a) => a === 'pause' || a === 'resume')) return [];
    const { endpoints } = await api<{ endpoints: EndpointLine[] }>('/api/endpoints');
    const rows = await Promise.all(
      endpoints.map(async (e) => {
        const path = (a: string) => `/api/endpoints/${encodeURIComponent(e.name)}/${a}`;
        const spec: ActionSpec =
          e.pausedReason === null
            ? { action: 'pause', label: 'Pause', path: path('pause'), fields: ['now'], reasonRequired: true }
            : { action: 'resume', label: 'Resume', path: path('resume') };
        const [panel] = await actionPanel([spec], again);
        panel?.querySelector('h2')?.remove();
        panel?.removeAttribute('id');
        return [
          e.name,
          e.pausedReason === null
            ? 'steps start'
            : `paused${e.pauseNow ? ' (running steps stopped)' : ''}: ${e.pausedReason}`,
          panel ?? '',
        ];
      }),
    );
    return [
      el('h2', {}, 'Servers'),
      el('div', { id: 'servers' }, table(['server', 'state', 'action'], rows)),
    ];
  }

  /**
   * The audit trail of a mailbox or an organisation, or the latest changes the caller may see
   * (who, when, what, why, before → after), with its CSV.
   */
  async function auditSection(query: { mailbox?: string; org?: string }, limit = 200): Promise<HTMLElement> {
    const search = new URLSearchParams(query);
    const { audit } = await api<{ audit: (AuditRecord & { change: string })[] }>(
      `/api/audit?${new URLSearchParams({ ...query, limit: String(limit) }).toString()}`,
    );
    return el(
      'section',
      { id: 'audit' },
      el('h2', {}, 'Audit trail'),
      el('p', {}, el('a', { href: `/api/audit.csv?${search.toString()}` }, 'Export the audit trail (CSV)')),
      audit.length === 0
        ? el('p', {}, 'No change recorded.')
        : table(
            ['when', 'who', 'what', 'subject', 'why', 'before → after'],
            audit.map((r) => [moment(r.at), r.actor, r.action, r.subject, r.reason ?? '-', r.change || '-']),
          ),
    );
  }

  return { me, redraw, actionPanel, mailboxSpecs, organisationSpecs, daySpecs, serverSection, auditSection };
}

/** The actions, as the page views receive them. */
export type BrowserActions = ReturnType<typeof browserActions>;
