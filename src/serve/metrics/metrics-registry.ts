import { Gauge, Registry } from 'prom-client';
import { MAILBOX_STATES } from '../../programme/lifecycle/mailbox-state.js';
import type { EndpointLoad, WorkerLoad } from '../../report/worker-load.js';
import type { MetricReadings } from './metric-readings.js';

/** What one scrape reports. */
export interface Scrape {
  /** The programme-wide figures, and when they were computed (ms since the epoch). */
  figures: MetricReadings;
  figuresAt: number;
  /** Workers and each endpoint's load, read live at the scrape. */
  load: WorkerLoad;
}

/**
 * The Prometheus registry of /metrics: gauges that read the store when scraped (one reading per
 * scrape, shared by every gauge), so any number of `tranche run` workers and `tranche serve`
 * processes report the same figures, and nothing is counted in a process's memory.
 */
export function metricsRegistry(read: () => Promise<Scrape>): Registry {
  const registry = new Registry();
  let scrape: Promise<Scrape> | undefined;
  // Every gauge's collect() of one scrape waits for the same reading: prom-client starts them all in one
  // go, before the reading can settle; the next scrape reads afresh.
  const reading = (): Promise<Scrape> => {
    scrape ??= read().finally(() => (scrape = undefined));
    return scrape;
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    set: (g: Gauge, r: Scrape) => void,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const r = await reading();
        this.reset();
        set(this, r);
      },
    });
  };
  gauge('tranche_mailboxes', 'Mailboxes by lifecycle state.', ['state'], (g, { figures: r }) => {
    for (const state of MAILBOX_STATES) g.set({ state }, 0);
    for (const s of r.mailboxesByState) g.set({ state: s.state }, s.mailboxes);
  });
  gauge(
    'tranche_mailboxes_held',
    'Mailboxes held by people (also counted in their state).',
    [],
    (g, { figures: r }) => g.set(r.held),
  );
  gauge(
    'tranche_mailboxes_excluded',
    'Mailboxes excluded by people: never migrated, in no state.',
    [],
    (g, { figures: r }) => g.set(r.excluded),
  );
  gauge('tranche_copied_messages', 'Messages copied so far, all mailboxes.', [], (g, { figures: r }) =>
    g.set(r.copiedMessages),
  );
  gauge(
    'tranche_copied_items',
    'Items copied so far, all mailboxes, by kind: mail (messages), calendar (calendar items), contacts.',
    ['kind'],
    (g, { figures: r }) => {
      g.set({ kind: 'mail' }, r.copiedMessages);
      g.set({ kind: 'calendar' }, r.copiedCalendarItems);
      g.set({ kind: 'contacts' }, r.copiedContacts);
    },
  );
  gauge('tranche_copied_bytes', 'Bytes copied so far, all mailboxes.', [], (g, { figures: r }) =>
    g.set(r.copiedBytes),
  );
  gauge(
    'tranche_copy_rate_bytes_per_second',
    'Bytes per second copied by the passes finished in the last hour (programme clock).',
    [],
    (g, { figures: r }) => g.set(r.copyBytesPerSecond),
  );
  gauge('tranche_failed_mailboxes', 'Failed mailboxes by failure type.', ['type'], (g, { figures: r }) => {
    for (const f of r.failedByType) g.set({ type: f.type }, f.mailboxes);
  });
  gauge(
    'tranche_pass_errors',
    'Passes that ended in an error in the last hour, by error type.',
    ['type'],
    (g, { figures: r }) => {
      for (const e of r.passErrorsByType) g.set({ type: e.type }, e.passes);
    },
  );
  gauge(
    'tranche_throttled_passes',
    'Passes that a server’s throttling ended in the last hour.',
    [],
    (g, { figures: r }) => g.set(r.throttledPasses),
  );
  gauge(
    'tranche_throttled_seconds',
    'Time mailboxes spent held back by throttling servers, in all (programme clock).',
    [],
    (g, { figures: r }) => g.set(r.throttledSeconds),
  );
  gauge(
    'tranche_queue_depth',
    'Mailboxes whose next step is due and that no runner holds.',
    [],
    (g, { figures: r }) => g.set(r.queueDepth),
  );
  gauge(
    'tranche_figures_age_seconds',
    'Age of the programme-wide figures above (refreshed in the background every --refresh seconds).',
    [],
    (g, r) => g.set(Math.max(0, (Date.now() - r.figuresAt) / 1000)),
  );
  const perEndpoint = (name: string, help: string, value: (e: EndpointLoad) => number | null): void =>
    gauge(name, help, ['endpoint'], (g, { load }) => {
      for (const e of load.endpoints) {
        const v = value(e);
        if (v !== null) g.set({ endpoint: e.endpoint }, v);
      }
    });
  perEndpoint(
    'tranche_endpoint_mailboxes',
    'Mailboxes being copied on the endpoint now (live leases).',
    (e) => e.mailboxes,
  );
  perEndpoint(
    'tranche_endpoint_mailbox_limit',
    'Mailboxes the endpoint takes at once now: its limit, or less while adaptive concurrency holds it down.',
    (e) => e.mailboxLimit,
  );
  perEndpoint(
    'tranche_endpoint_connections',
    'Connections held on the endpoint now (live leases).',
    (e) => e.connections,
  );
  perEndpoint(
    'tranche_endpoint_connection_limit',
    'Connections the endpoint allows at once.',
    (e) => e.maxConnections,
  );
  perEndpoint(
    'tranche_endpoint_bytes_last_hour',
    'Bytes copied from or to the endpoint by the passes of the last hour (programme clock).',
    (e) => e.bytesLastHour,
  );
  perEndpoint(
    'tranche_endpoint_bytes_per_hour_limit',
    "The endpoint's migration budget in bytes per hour (only endpoints that have one).",
    (e) => e.bytesPerHour,
  );
  gauge(
    'tranche_workers_alive',
    'Runner and worker processes alive now, by mode.',
    ['mode'],
    (g, { load }) => {
      for (const mode of ['run', 'worker'])
        g.set({ mode }, load.workers.filter((w) => w.alive && w.mode === mode).length);
    },
  );
  gauge(
    'tranche_leaders',
    'Processes carrying the scheduling duties now (1 while the programme runs).',
    [],
    (g, { load }) => g.set(load.workers.filter((w) => w.leader).length),
  );
  gauge(
    'tranche_steps_handed_out',
    'Steps handed to the job queue and not yet taken by a worker.',
    [],
    (g, { load }) => g.set(load.queued),
  );
  return registry;
}
