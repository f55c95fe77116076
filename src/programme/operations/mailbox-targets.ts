import { readOperationRows, type OperationRow } from '../../state/mailbox/operation-rows.js';
import type { OperationInput } from './operation.js';
import { refuseIf } from './refusal.js';

/**
 * The rows of ADDRESSES, each once, in the order given; refused as a whole when one is unknown, fails
 * CHECK, or is outside the actor's organisations (every such address listed).
 */
export async function mailboxTargets(
  input: OperationInput,
  addresses: readonly string[],
  check: (row: OperationRow) => string | undefined = () => undefined,
): Promise<OperationRow[]> {
  const unique = [...new Set(addresses.map((a) => a.trim()).filter(Boolean))];
  refuseIf(unique.length === 0 ? ['no mailbox given'] : []);
  const rows = await readOperationRows(input.db, unique);
  // Every problem at once: the unknown addresses, then what CHECK finds wrong with the known ones.
  const found = unique.filter((a) => rows.has(a)).map((a) => rows.get(a)!);
  refuseIf([
    ...unique.filter((a) => !rows.has(a)).map((a) => `unknown mailbox ${a}`),
    ...found.map(check).filter((p): p is string => p !== undefined),
  ]);
  const scope = input.organisations;
  if (scope !== undefined) {
    refuseIf(
      found
        .filter((r) => r.organisation === null || !scope.includes(r.organisation))
        .map((r) => `${r.address} is not in your organisations`),
      true,
    );
  }
  return found;
}

/** Refused when the operation needs a reason and none was given. */
export function requireReason(input: OperationInput, flag = '--reason'): string {
  const reason = input.reason?.trim();
  refuseIf(reason ? [] : [`${flag} is required: say why`]);
  return reason!;
}

/** What the trail keeps of a mailbox row, before or after. */
export function rowPicture(r: OperationRow): Record<string, unknown> {
  return {
    state: r.state,
    day: r.batch_day,
    ...(r.pinned_day ? { pinned: r.pinned_day } : {}),
    ...(r.hold_reason ? { held: r.hold_reason } : {}),
    ...(r.exclude_reason ? { excluded: r.exclude_reason } : {}),
  };
}
