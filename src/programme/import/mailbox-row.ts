import { TrancheError } from '../../errors/tranche-error.js';
import { checkMailAddress } from './mail-address.js';

/** A mailbox as an import row gives it, before secrets are sealed. */
export interface MailboxRow {
  address: string;
  organisation: string | undefined;
  displayName: string;
  sourceEndpoint: string;
  sourceUser: string;
  sourcePassword: string | undefined;
  targetEndpoint: string;
  targetUser: string;
  targetPassword: string | undefined;
  notifyAddress: string;
}

/** A problem with one field of one line; `column` is the file's own column name. */
export class RowError extends TrancheError {
  constructor(
    readonly line: number,
    readonly column: string,
    readonly problem: string,
  ) {
    super('usage', `line ${line}, column '${column}': ${problem}`);
  }
}

/** A required, trimmed value; an error naming the column when empty. */
export function required(value: string | undefined, line: number, column: string): string {
  const v = value?.trim() ?? '';
  if (!v) throw new RowError(line, column, 'is empty');
  return v;
}

/** A value that must be an e-mail address (checkMailAddress); the error never quotes it. */
export function email(value: string | undefined, line: number, column: string): string {
  const checked = checkMailAddress(required(value, line, column));
  if ('problem' in checked) throw new RowError(line, column, checked.problem);
  return checked.address;
}

/** Empty becomes undefined. */
export function optional(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}
