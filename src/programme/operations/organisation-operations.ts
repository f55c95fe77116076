import { readOrganisationRows, type OperationRow } from '../../state/mailbox/operation-rows.js';
import { bringRowsBack } from './bring-back.js';
import { setRowsAside } from './hold-mailboxes.js';
import { moveRows } from './move-mailboxes.js';
import type { OperationInput, OperationResult } from './operation.js';
import { refuseIf } from './refusal.js';

/** The mailboxes of CODES, refused as a whole when a code is unknown or outside the actor's organisations. */
async function organisationRows(input: OperationInput, codes: readonly string[]): Promise<OperationRow[]> {
  const unique = [...new Set(codes)];
  refuseIf(unique.length === 0 ? ['no organisation given'] : []);
  const known = new Set(
    (await input.db.selectFrom('organisation').select('code').where('code', 'in', unique).execute()).map(
      (o) => o.code,
    ),
  );
  refuseIf(unique.filter((c) => !known.has(c)).map((c) => `unknown organisation ${c}`));
  const scope = input.organisations;
  if (scope !== undefined)
    refuseIf(
      unique.filter((c) => !scope.includes(c)).map((c) => `${c} is not one of your organisations`),
      true,
    );
  return readOrganisationRows(input.db, unique);
}

/** `tranche org hold CODE… --reason TEXT`: every mailbox of the organisations not yet done or excluded is held. */
export async function holdOrganisations(
  input: OperationInput,
  codes: readonly string[],
): Promise<OperationResult> {
  const rows = (await organisationRows(input, codes)).filter(
    (r) => r.state !== 'done' && r.exclude_reason === null,
  );
  return setRowsAside(input, rows, 'hold', 'org.hold');
}

/** `tranche org release CODE…`: the organisations' held mailboxes are released and planned again. */
export async function releaseOrganisations(
  input: OperationInput,
  codes: readonly string[],
): Promise<OperationResult> {
  const rows = (await organisationRows(input, codes)).filter((r) => r.hold_reason !== null);
  return bringRowsBack(input, rows, 'hold', 'org.release');
}

/**
 * `tranche org move CODE --to DAY`: the organisation's mailboxes not yet past cutover (nor held or
 * excluded) are pinned to DAY.
 */
export async function moveOrganisation(
  input: OperationInput,
  code: string,
  day: string,
): Promise<OperationResult> {
  const rows = (await organisationRows(input, [code])).filter(
    (r) => r.state !== 'done' && r.state !== 'cutover' && r.hold_reason === null && r.exclude_reason === null,
  );
  return moveRows(input, rows, day, 'org.move');
}
