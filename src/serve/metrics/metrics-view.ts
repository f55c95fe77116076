import type { ProgrammeView } from '../serve-context.js';
import { readMetrics, type MetricReadings } from './metric-readings.js';

/** The programme-wide figures of /metrics, kept in the serve cache like the dashboard's views. */
export const metricsView: ProgrammeView<MetricReadings> = {
  key: 'metrics',
  compute: async (ctx) => readMetrics(ctx.db, await ctx.now(), new Date()),
};
