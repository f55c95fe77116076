import { Gauge, Registry } from 'prom-client';
import { MAILBOX_STATES } from '../../programme/lifecycle/mailbox-state.js';
import type { MetricReadings } from './metric-readings.js';

/**
 * The Prometheus registry of /metrics: gauges that read the store when scraped (one reading per
 * scrape, shared by every gauge), so any number of `tranche run` workers and `tranche serve`
 * processes report the same figures, and nothing is counted in a process's memory.
 */
export function metricsRegistry(read: () => Promise<MetricReadings>): Registry {
  const registry = new Registry();
  let scrape: Promise<MetricReadings> | undefined;
  // Every gauge's collect() of one scrape waits for the same reading.
  const reading = (): Promise<MetricReadings> => {
    scrape ??= read().finally(() => setImmediate(() => (scrape = undefined)));
    return scrape;
  };
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    set: (g: Gauge, r: MetricReadings) => void,
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
  gauge('tranche_mailboxes', 'Mailboxes by lifecycle state.', ['state'], (g, r) => {
    for (const state of MAILBOX_STATES) g.set({ state }, 0);
    for (const s of r.mailboxesByState) g.set({ state: s.state }, s.mailboxes);
  });
  gauge('tranche_copied_messages', 'Messages copied so far, all mailboxes.', [], (g, r) =>
    g.set(r.copiedMessages),
  );
  gauge('tranche_copied_bytes', 'Bytes copied so far, all mailboxes.', [], (g, r) => g.set(r.copiedBytes));
  gauge(
    'tranche_copy_rate_bytes_per_second',
    'Bytes per second copied by the passes finished in the last hour (programme clock).',
    [],
    (g, r) => g.set(r.copyBytesPerSecond),
  );
  gauge('tranche_failed_mailboxes', 'Failed mailboxes by failure type.', ['type'], (g, r) => {
    for (const f of r.failedByType) g.set({ type: f.type }, f.mailboxes);
  });
  gauge(
    'tranche_pass_errors',
    'Passes that ended in an error in the last hour, by error type.',
    ['type'],
    (g, r) => {
      for (const e of r.passErrorsByType) g.set({ type: e.type }, e.passes);
    },
  );
  gauge('tranche_throttled_passes', 'Passes that a server’s throttling ended in the last hour.', [], (g, r) =>
    g.set(r.throttledPasses),
  );
  gauge(
    'tranche_throttled_seconds',
    'Time mailboxes spent held back by throttling servers, in all (programme clock).',
    [],
    (g, r) => g.set(r.throttledSeconds),
  );
  gauge('tranche_queue_depth', 'Mailboxes whose next step is due and that no runner holds.', [], (g, r) =>
    g.set(r.queueDepth),
  );
  return registry;
}
