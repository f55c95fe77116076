// Runs in the browser: the dashboard's pages, each drawn from the JSON API into MAIN. Served as the
// source text of this function (see dashboard-script.ts): it uses only its parameter and the DOM.
import type { CalendarDay } from '../../report/day-calendar.js';
import type { DailyThroughput } from '../../report/daily-throughput.js';
import type { FailureGroup } from '../../report/failure-groups.js';
import type { SkippedGroup } from '../../report/skipped-groups.js';
import type { MailboxLine, MailboxPage } from '../../report/mailbox-page.js';
import type { OrganisationRow, OrganisationSummary } from '../../report/organisation-summary.js';
import type { ProgrammeSummary } from '../../report/programme-summary.js';
import type { SoakStatus } from '../../soak/soak-status.js';
import type { BrowserActions } from './browser-actions.js';
import type { BrowserKit } from './browser-kit.js';
import type { SharedDrawings } from './browser-mailbox.js';

/** The page views, by name; each fills MAIN from the API (and the forms of ACTIONS the caller may use). */
export function browserViews(kit: BrowserKit, shared: SharedDrawings, actions: BrowserActions) {
  const { el, link, table, count, percent, bytes, moment, api, card, barChart } = kit;
  const { redraw } = actions;

  function summaryCards(s: ProgrammeSummary): HTMLElement {
    const t = s.throughput;
    const e = s.eta;
    return el(
      'section',
      { class: 'cards', id: 'summary' },
      card('Mailboxes', count(s.mailboxes)),
      card('Done', count(s.states.done ?? 0)),
      card('Failed', count(s.states.failed ?? 0)),
      card(
        'Success rate',
        percent(s.successRate),
        `done / (done + failed); ${count(s.moved.whole)} moved whole, ${count(s.moved.withSkipped)} with skipped items`,
      ),
      card(
        'Copied',
        bytes(s.copied.bytes),
        `${count(s.copied.messages)} messages${s.copied.calendarItems + s.copied.contacts > 0 ? `, ${count(s.copied.calendarItems)} calendar items, ${count(s.copied.contacts)} contacts` : ''}`,
      ),
      card(
        'Throughput',
        t.mailboxesPerDay === null ? '-' : `${count(Math.round(t.mailboxesPerDay))}/day`,
        `${bytes(Math.round(t.bytesPerHour ?? 0))}/hour`,
      ),
      card(
        'ETA',
        e.atCurrentPace ?? '-',
        e.calendarEnd ? `calendar ends ${e.calendarEnd}` : 'no day planned',
      ),
    );
  }

  /** The soak gate of each target endpoint: held ones first in words, as the runner says them. */
  function soakSection(soak: SoakStatus): HTMLElement[] {
    if (!soak.required && soak.endpoints.every((e) => e.last === null)) return [];
    const rule = soak.required
      ? `Cutovers need a soak go at x${soak.required.minMultiple} or more within ${soak.required.withinDays} days.`
      : 'No soak is required before cutovers.';
    return [
      el('h2', {}, 'Soak test'),
      el('p', { id: 'soak-rule' }, rule),
      table(
        ['target', 'cutovers', 'last verdict', 'why'],
        soak.endpoints.map((e) => [
          e.endpoint,
          el('span', { class: e.gate === 'held' ? 'error' : '' }, e.gate),
          e.last ? `${e.last.go ? 'GO' : 'NO-GO'} at x${e.last.multiple}, ${moment(e.last.finishedAt)}` : '-',
          e.reason,
        ]),
      ),
    ];
  }

  function statesTable(s: ProgrammeSummary): HTMLElement {
    return table(
      ['state', 'mailboxes'],
      Object.entries(s.states).map(([state, n]) => [state, count(n)]),
      [false, true],
    );
  }

  function failureTable(groups: FailureGroup[]): HTMLElement {
    if (groups.length === 0) return el('p', {}, 'No failed mailboxes.');
    return table(
      ['failure', 'mailboxes', 'commonest reasons', 'e.g.'],
      groups.map((g) => [
        link(`${g.label} (${g.type})`, 'failures', g.type),
        count(g.count),
        el(
          'ul',
          {},
          ...g.reasons.map((r) => el('li', {}, `${count(r.count)}× ${r.reason || '(no words given)'}`)),
        ),
        el('span', {}, ...g.examples.flatMap((a, i) => [i ? ', ' : '', link(a, 'mailboxes', a)])),
      ]),
      [false, true, false, false],
    );
  }

  function daysTable(days: CalendarDay[]): HTMLElement {
    if (days.length === 0) return el('p', {}, 'No mailbox has a day yet.');
    return table(
      ['day', 'kind', 'capacity', 'planned', 'done', 'failed', 'in progress', 'remaining'],
      days.map((d) => [
        link(d.day, 'calendar', d.day),
        [d.kind, d.blackout && 'blackout', d.closed && 'closed', d.overCapacity && 'over capacity']
          .filter(Boolean)
          .join(', '),
        count(d.capacity.mailboxes),
        count(d.planned),
        count(d.done),
        count(d.failed),
        count(d.inProgress),
        count(d.remaining),
      ]),
      [false, false, true, true, true, true, true, true],
    );
  }

  /** A list of mailboxes with a "more" button that fetches the next page from PATH. */
  function mailboxList(first: MailboxPage, path: string): HTMLElement {
    const rows = (page: MailboxPage) =>
      page.mailboxes.map((m: MailboxLine) =>
        el(
          'tr',
          {},
          el('td', {}, link(m.address, 'mailboxes', m.address)),
          el('td', {}, m.organisation ?? '-'),
          el('td', {}, m.state),
          el('td', {}, m.batchDay ?? '-'),
          el('td', {}, m.nextStep ? `${m.nextStep} ${moment(m.nextDueAt)}` : '-'),
          el('td', {}, m.failureType ? `${m.failureType}: ${m.failureReason ?? ''}` : ''),
        ),
      );
    const body = el('tbody', {}, ...rows(first));
    const box = el(
      'div',
      {},
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['mailbox', 'organisation', 'state', 'day', 'next', 'failure'].map((h) => el('th', {}, h)),
          ),
        ),
        body,
      ),
    );
    let last = first.mailboxes.at(-1)?.address;
    if (first.more) {
      const more = el('button', { type: 'button' }, 'More');
      more.addEventListener('click', () => {
        void api<MailboxPage>(
          `${path}${path.includes('?') ? '&' : '?'}after=${encodeURIComponent(last ?? '')}`,
        ).then((page) => {
          body.append(...rows(page));
          last = page.mailboxes.at(-1)?.address;
          if (!page.more) more.remove();
        });
      });
      box.append(more);
    }
    return box;
  }

  const asOf = (iso: string): HTMLElement => el('p', { class: 'as-of' }, `Figures as of ${moment(iso)} UTC`);

  async function overview(main: HTMLElement): Promise<void> {
    const o = await api<{
      asOf: string;
      summary: ProgrammeSummary;
      daily: DailyThroughput[];
      upcoming: CalendarDay[];
      soak: SoakStatus;
    }>('/api/overview');
    main.append(
      el(
        'h1',
        {},
        o.summary.organisation ? `${o.summary.programme}: ${o.summary.organisation}` : o.summary.programme,
      ),
      asOf(o.asOf),
      summaryCards(o.summary),
      ...soakSection(o.soak),
      el('h2', {}, 'Mailboxes done per day (last 30 days)'),
      barChart(
        o.daily.map((d) => ({ label: d.day.slice(5), value: d.mailboxesDone })),
        'Mailboxes done per day',
        count,
      ),
      el('h2', {}, "Today's and upcoming batches against capacity"),
      barChart(
        o.upcoming.map((d) => ({ label: d.day.slice(5), value: d.planned, capacity: d.capacity.mailboxes })),
        'Planned mailboxes per day against capacity',
        count,
      ),
      daysTable(o.upcoming),
      el('h2', {}, 'By state'),
      statesTable(o.summary),
      el('h2', {}, 'Failures'),
      failureTable(o.summary.failures),
      ...(await actions.serverSection(redraw(main, overview))),
      await actions.auditSection({}, 20),
    );
  }

  async function calendar(main: HTMLElement): Promise<void> {
    const c = await api<{ asOf: string; days: CalendarDay[] }>('/api/calendar');
    main.append(el('h1', {}, 'Calendar'), asOf(c.asOf), daysTable(c.days));
  }

  async function day(main: HTMLElement, date: string): Promise<void> {
    const path = `/api/calendar/${encodeURIComponent(date)}`;
    const d = await api<MailboxPage & { day: CalendarDay }>(path);
    const again = redraw(main, (m) => day(m, date));
    main.append(
      el('h1', {}, `Day ${d.day.day}`),
      el('p', {}, el('a', { href: `/api/exports/days/${encodeURIComponent(date)}.csv` }, 'Export CSV')),
      daysTable([d.day]),
      ...(await actions.actionPanel(await actions.daySpecs(date, d.day.closed), again)),
      el('h2', {}, 'Mailboxes'),
      mailboxList(d, path),
    );
  }

  async function organisations(main: HTMLElement): Promise<void> {
    const o = await api<{ asOf: string; organisations: OrganisationRow[] }>('/api/organisations');
    const filter = el('input', {
      type: 'search',
      placeholder: 'Filter by code or name',
      id: 'org-filter',
    }) as HTMLInputElement;
    const holder = el('div', {});
    const draw = () => {
      const q = filter.value.trim().toLowerCase();
      const shown = o.organisations
        .filter((r) => !q || r.code.toLowerCase().includes(q) || r.name.toLowerCase().includes(q))
        .slice(0, 500);
      holder.replaceChildren(
        table(
          ['code', 'name', 'total', 'done', 'failed', 'next day'],
          shown.map((r) => [
            link(r.code, 'organisations', r.code),
            r.name,
            count(r.total),
            count(r.done),
            count(r.failed),
            r.nextDay ?? '-',
          ]),
          [false, false, true, true, true, false],
        ),
      );
    };
    filter.addEventListener('input', draw);
    draw();
    main.append(el('h1', {}, 'Organisations'), asOf(o.asOf), filter, holder);
  }

  async function organisation(main: HTMLElement, code: string): Promise<void> {
    const base = `/api/organisations/${encodeURIComponent(code)}`;
    const [o, page] = await Promise.all([
      api<OrganisationSummary>(base),
      api<MailboxPage>(`${base}/mailboxes`),
    ]);
    const again = redraw(main, (m) => organisation(m, code));
    main.append(
      el('h1', {}, `${o.code}: ${o.name}${o.pilot ? ' (pilot)' : ''}`),
      el(
        'p',
        {},
        el('a', { href: `/api/exports/organisations/${encodeURIComponent(code)}.csv` }, 'Export CSV'),
      ),
      summaryCards(o.summary),
      ...(await actions.actionPanel(actions.organisationSpecs(code), again)),
      el('h2', {}, 'By state'),
      statesTable(o.summary),
      el('h2', {}, 'Failures'),
      failureTable(o.summary.failures),
      el('h2', {}, 'Days'),
      daysTable(o.days),
      el('h2', {}, 'Mailboxes'),
      mailboxList(page, `${base}/mailboxes`),
      await actions.auditSection({ org: code }),
    );
  }

  async function failures(main: HTMLElement): Promise<void> {
    const f = await api<{ failures: FailureGroup[]; skipped: SkippedGroup[] }>('/api/failures');
    main.append(
      el('h1', {}, 'Failures'),
      el('p', {}, el('a', { href: '/api/exports/failures.csv' }, 'Export CSV')),
      failureTable(f.failures),
      el('h2', {}, 'Skipped items (mailboxes done with items that could not be moved)'),
      f.skipped.length === 0
        ? el('p', {}, 'None.')
        : el(
            'div',
            { id: 'skipped-kinds' },
            table(
              ['kind', 'items', 'mailboxes', 'commonest reason', 'e.g.'],
              f.skipped.map((g) => [
                g.kind,
                count(g.items),
                count(g.mailboxes),
                g.reasons[0]?.reason ?? '',
                g.examples.join(', '),
              ]),
              [false, true, true, false, false],
            ),
          ),
    );
  }

  async function failureType(main: HTMLElement, type: string): Promise<void> {
    const path = `/api/failures/${encodeURIComponent(type)}`;
    main.append(el('h1', {}, `Failures: ${type}`), mailboxList(await api<MailboxPage>(path), path));
  }

  return { overview, calendar, day, organisations, organisation, failures, failureType };
}

/** The views, as the page's entry point receives them. */
export type BrowserViews = ReturnType<typeof browserViews>;
