import { TrancheError } from '../../errors/tranche-error.js';
import { email, optional, required, RowError, type MailboxRow } from './mailbox-row.js';

/** The mailbox list formats tranche reads. */
export type MailboxFormat = 'tranche' | 'exchange' | 'imapsync';

/** Columns of tranche's own mailbox CSV (docs/import.md); the first, 'address', and the starred ones are required. */
export const TRANCHE_COLUMNS = [
  'address',
  'organisation',
  'display_name',
  'source_endpoint',
  'source_user',
  'source_password',
  'target_endpoint',
  'target_user',
  'target_password',
  'notify_address',
] as const;

/** imapsync's bulk list has no header: its six fields by position. */
export const IMAPSYNC_COLUMNS = ['host1', 'user1', 'password1', 'host2', 'user2', 'password2'] as const;

/** Guesses the format from the first line: a header names it, six ';'-separated fields are imapsync's. */
export function detectFormat(firstLine: string): MailboxFormat {
  const header = firstLine.replace(/^\uFEFF/, '').trim();
  if (/^emailaddress\s*,/i.test(header)) return 'exchange';
  if (/^address\s*,/i.test(header)) return 'tranche';
  if (header.split(';').length === 6) return 'imapsync';
  throw new TrancheError(
    'usage',
    "line 1: unknown format (expected tranche's header 'address,…', Exchange's 'EmailAddress,UserName,Password' or imapsync's 'host1;user1;password1;host2;user2;password2'); give --format",
  );
}

/** What a format needs from outside its rows. */
export interface FormatContext {
  /** For formats without endpoints in their rows (Exchange). */
  sourceEndpoint: string | undefined;
  targetEndpoint: string | undefined;
  organisation: string | undefined;
  /** For imapsync: the endpoint whose URL names this host. */
  endpointForHost: (host: string) => string | undefined;
}

/** Turns one record (object for header formats, array for imapsync) into a mailbox row. */
export function toMailboxRow(
  format: MailboxFormat,
  record: Record<string, string> | string[],
  line: number,
  ctx: FormatContext,
): MailboxRow {
  if (format === 'imapsync') {
    const fields = record as string[];
    const [host1, user1, password1, host2, user2, password2] = fields.map((f) => f.trim());
    if (fields.length !== 6)
      throw new RowError(
        line,
        IMAPSYNC_COLUMNS[Math.min(fields.length, 5)]!,
        `expected 6 fields, found ${fields.length} (a ';' inside a password?)`,
      );
    const endpoint = (host: string | undefined, column: string): string => {
      const name = ctx.endpointForHost(required(host, line, column));
      // The host is not quoted: in a row whose fields shifted it may be a piece of a password.
      if (!name) throw new RowError(line, column, 'no endpoint has this host (tranche endpoint list)');
      return name;
    };
    const address = user2?.includes('@') ? user2 : user1;
    return {
      address: email(address, line, user2?.includes('@') ? 'user2' : 'user1'),
      organisation: ctx.organisation,
      displayName: '',
      sourceEndpoint: endpoint(host1, 'host1'),
      sourceUser: required(user1, line, 'user1'),
      sourcePassword: optional(password1),
      targetEndpoint: endpoint(host2, 'host2'),
      targetUser: required(user2, line, 'user2'),
      targetPassword: optional(password2),
      notifyAddress: email(address, line, 'user2'),
    };
  }
  const row = record as Record<string, string>;
  if (format === 'exchange') {
    if (!ctx.sourceEndpoint || !ctx.targetEndpoint) {
      throw new TrancheError(
        'usage',
        'the Exchange format names no servers: give --source-endpoint and --target-endpoint',
      );
    }
    const address = email(row.EmailAddress, line, 'EmailAddress');
    return {
      address,
      organisation: ctx.organisation,
      displayName: '',
      sourceEndpoint: ctx.sourceEndpoint,
      sourceUser: required(row.UserName, line, 'UserName'),
      sourcePassword: optional(row.Password),
      targetEndpoint: ctx.targetEndpoint,
      targetUser: address,
      targetPassword: undefined,
      notifyAddress: address,
    };
  }
  const address = email(row.address, line, 'address');
  return {
    address,
    organisation: optional(row.organisation) ?? ctx.organisation,
    displayName: row.display_name?.trim() ?? '',
    sourceEndpoint: optional(row.source_endpoint) ?? required(ctx.sourceEndpoint, line, 'source_endpoint'),
    sourceUser: required(row.source_user, line, 'source_user'),
    sourcePassword: optional(row.source_password),
    targetEndpoint: optional(row.target_endpoint) ?? required(ctx.targetEndpoint, line, 'target_endpoint'),
    targetUser: required(row.target_user, line, 'target_user'),
    targetPassword: optional(row.target_password),
    notifyAddress: row.notify_address?.trim() ? email(row.notify_address, line, 'notify_address') : address,
  };
}
