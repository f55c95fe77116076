// Runs in the browser: the page's entry point. Served as the source text of this function (see
// dashboard-script.ts): it uses only its parameters and the DOM.
import type { Area, Role } from '../auth/role.js';
import type { BrowserKit } from './browser-kit.js';
import type { BrowserMailbox } from './browser-mailbox.js';
import type { BrowserViews } from './browser-views.js';

/** Draws the navigation for the caller's role and the page the address names. */
export function browserMain(kit: BrowserKit, views: BrowserViews & BrowserMailbox): void {
  const { el, api, Refused } = kit;
  const main = document.getElementById('app')!;
  const nav = document.getElementById('nav')!;
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  const page = (): Promise<void> => {
    if (first === undefined) return views.overview(main);
    if (first === 'calendar') return second ? views.day(main, second) : views.calendar(main);
    if (first === 'organisations')
      return second ? views.organisation(main, second) : views.organisations(main);
    if (first === 'failures') return second ? views.failureType(main, second) : views.failures(main);
    if (first === 'mailboxes' && second) return views.mailbox(main, second);
    return views.lookup(main);
  };
  const links: [Area, string, string][] = [
    ['overview', '/', 'Overview'],
    ['calendar', '/calendar', 'Calendar'],
    ['organisations', '/organisations', 'Organisations'],
    ['failures', '/failures', 'Failures'],
    ['lookup', '/lookup', 'Lookup'],
  ];
  void api<{ name: string; role: Role; areas: Area[]; organisations: string[] | null }>('/api/me').then(
    (me) => {
      nav.append(
        ...links.filter(([area]) => me.areas.includes(area)).map(([, href, text]) => el('a', { href }, text)),
        el(
          'span',
          { class: 'who' },
          `${me.name} (${me.role}${me.organisations ? `: ${me.organisations.join(', ')}` : ''})`,
        ),
      );
    },
  );
  page().catch((error: unknown) => {
    const status = error instanceof Refused ? error.status : 0;
    main.replaceChildren(
      el('h1', {}, status === 403 ? 'Forbidden' : status === 404 ? 'Not found' : 'Something went wrong'),
      el('p', { class: 'error' }, error instanceof Error ? error.message : String(error)),
    );
  });
}
