import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/** The young generation's size once it stops growing (both semi-spaces). */
const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

/**
 * Stops V8's young generation from growing past YOUNG_GENERATION_CAP_BYTES. V8 sizes its ceiling by
 * the machine's memory (128 MB on a 24 GiB machine) and doubles the young generation whenever a
 * scavenge finds most objects alive, which a listing of 60,000 messages does: a copy of one such
 * folder peaked at ~300 MB, 113 MB of it the young generation. `--max-semi-space-size` is read only
 * from node's command line, but the growth factor is read at each growth: once a collection finds
 * the young generation at the cap, it is set to 1. Measured (docs/ARCHITECTURE.md, "Round six"):
 * that folder's copy 300 → 165 MB peak, its CPU no higher; the 2,000-message copies unchanged.
 */
export function capYoungGeneration(): void {
  const collections = new PerformanceObserver(() => {
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if ((young?.space_size ?? 0) < YOUNG_GENERATION_CAP_BYTES) return;
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    collections.disconnect();
  });
  collections.observe({ entryTypes: ['gc'] });
}
