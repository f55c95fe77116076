// Runs in the browser, not in Node: served as the source text of this function (see dashboard-script.ts),
// so it uses nothing from outside its own body but the DOM. Every piece of data reaches the page
// through textContent or an attribute, never as HTML.

/** The dashboard's building blocks: elements, tables, numbers, the API. */
export function browserKit() {
  type Child = Node | string | number | null | undefined | false;

  /** An element with attributes and children (strings become text nodes). */
  function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children)
      if (c !== null && c !== undefined && c !== false)
        node.append(typeof c === 'object' ? c : document.createTextNode(String(c)));
    return node;
  }

  /** An SVG element. */
  function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  /** A link to a dashboard page; path parts are URL-encoded. */
  function link(text: string, ...parts: string[]): HTMLElement {
    return el('a', { href: `/${parts.map(encodeURIComponent).join('/')}` }, text);
  }

  /** A table: head cells and rows of cells (strings or nodes); numeric columns flagged right. */
  function table(head: string[], rows: Child[][], numeric: boolean[] = []): HTMLElement {
    return el(
      'table',
      {},
      el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', numeric[i] ? { class: 'num' } : {}, h)))),
      el(
        'tbody',
        {},
        ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', numeric[i] ? { class: 'num' } : {}, c)))),
      ),
    );
  }

  const count = (n: number | null | undefined): string =>
    n === null || n === undefined ? '-' : n.toLocaleString('en-GB');
  const percent = (n: number | null): string => (n === null ? '-' : `${(n * 100).toFixed(1)}%`);
  function bytes(n: number | null | undefined): string {
    if (n === null || n === undefined) return '-';
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
  }
  const moment = (iso: string | null | undefined): string => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

  /** A refusal the page shows as it is (401 sends the browser to the login page). */
  class Refused extends Error {
    constructor(
      readonly status: number,
      message: string,
    ) {
      super(message);
    }
  }

  /** GET an API path with the session cookie; JSON back. */
  async function api<T>(path: string): Promise<T> {
    const response = await fetch(path, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (response.status === 401) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      throw new Refused(401, 'not logged in');
    }
    const body = (await response.json()) as unknown;
    if (!response.ok)
      throw new Refused(response.status, (body as { error?: string }).error ?? response.statusText);
    return body as T;
  }

  /** A labelled figure for the overview's cards. */
  function card(label: string, value: string, note = ''): HTMLElement {
    return el(
      'div',
      { class: 'card' },
      el('div', { class: 'label' }, label),
      el('div', { class: 'value' }, value),
      note && el('div', { class: 'note' }, note),
    );
  }

  /** Bars (one per item) with an optional capacity mark; labels under every Nth bar. */
  function barChart(
    items: { label: string; value: number; capacity?: number }[],
    title: string,
    format: (n: number) => string,
  ): SVGElement {
    const width = 720;
    const height = 180;
    const top = 10;
    const bottom = 30;
    const max = Math.max(1, ...items.map((i) => Math.max(i.value, i.capacity ?? 0)));
    const step = width / Math.max(1, items.length);
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
    const t = svg('title');
    t.textContent = title;
    chart.append(t);
    const scale = (v: number): number => ((height - top - bottom) * v) / max;
    items.forEach((item, i) => {
      const h = scale(item.value);
      const bar = svg('rect', {
        x: i * step + 2,
        y: height - bottom - h,
        width: Math.max(1, step - 4),
        height: h,
        class: 'bar',
      });
      const tip = svg('title');
      tip.textContent = `${item.label}: ${format(item.value)}${item.capacity === undefined ? '' : ` of ${format(item.capacity)}`}`;
      bar.append(tip);
      chart.append(bar);
      if (item.capacity !== undefined) {
        const y = height - bottom - scale(item.capacity);
        chart.append(
          svg('line', { x1: i * step + 1, x2: (i + 1) * step - 1, y1: y, y2: y, class: 'capacity' }),
        );
      }
      if (i % Math.ceil(items.length / 8) === 0) {
        const label = svg('text', {
          x: i * step + step / 2,
          y: height - 10,
          'text-anchor': 'middle',
          class: 'axis',
        });
        label.textContent = item.label;
        chart.append(label);
      }
    });
    return chart;
  }

  return { el, svg, link, table, count, percent, bytes, moment, api, card, barChart, Refused };
}

/** The kit, as the views receive it. */
export type BrowserKit = ReturnType<typeof browserKit>;
