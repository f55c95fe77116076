import type { Placement } from '../../state/mailbox/place-rows.js';
import type { OperationInput } from './operation.js';
import { firstStep, stepAfter } from '../lifecycle/step-times.js';

/** Where mailboxes put on DAY start: the pre-stage for a new one, the next delta for a pre-staged one. */
export function placementOn(input: OperationInput, day: string, pin: boolean): Placement {
  const lifecycle = input.config.lifecycle;
  return {
    day,
    first: firstStep(day, lifecycle, input.now),
    delta: stepAfter('delta', day, lifecycle, input.now),
    pin,
  };
}

/** Groups ITEMS by KEY, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
