/** The notices tranche sends from the calendar. */
export type NoticeKind = 'warning' | 'reminder' | 'success' | 'failure' | 'rescheduled' | 'digest';

/** Every kind, in the order a user meets them. */
export const NOTICE_KINDS: readonly NoticeKind[] = [
  'warning',
  'rescheduled',
  'reminder',
  'success',
  'failure',
  'digest',
];

/** A mailbox in a digest's lists. */
export interface DigestEntry {
  address: string;
  name: string;
  day: string;
  /** For failed ones: the reason in plain words. */
  reason: string;
}

/**
 * The variables a template may use (Mustache: {{name}}; lists with {{#failed}}…{{/failed}}).
 * Mailbox notices have the mailbox fields; the digest has the organisation and its lists.
 */
export interface NoticeVariables {
  programme: string;
  organisation: string;
  organisationCode: string;
  helpdeskName: string;
  helpdeskAddress: string;
  helpdeskPhone: string;
  /** Mailbox notices. */
  name?: string;
  oldAddress?: string;
  newAddress?: string;
  /** The day of the move, e.g. 'Monday 18 January 2027', and as an ISO date. */
  date?: string;
  isoDate?: string;
  cutoverTime?: string;
  /** Rescheduled: the day the user had been told before. */
  previousDate?: string;
  /** Failure: why, in plain words. */
  reason?: string;
  /** Success: how many messages or folders could not be moved (0 or absent: everything was). */
  skippedItems?: number;
  /** Digest. */
  digestDate?: string;
  moved?: DigestEntry[];
  failed?: DigestEntry[];
  upcoming?: DigestEntry[];
}

/** The variables each kind may use: a template naming any other is refused when the programme opens. */
export const VARIABLES_BY_KIND: Record<NoticeKind, readonly string[]> = (() => {
  const common = [
    'programme',
    'organisation',
    'organisationCode',
    'helpdeskName',
    'helpdeskAddress',
    'helpdeskPhone',
  ];
  const mailbox = [...common, 'name', 'oldAddress', 'newAddress', 'date', 'isoDate', 'cutoverTime'];
  const entry = ['address', 'name', 'day', 'reason'];
  return {
    warning: mailbox,
    reminder: mailbox,
    success: [...mailbox, 'skippedItems'],
    rescheduled: [...mailbox, 'previousDate'],
    failure: [...mailbox, 'reason'],
    digest: [...common, 'digestDate', 'moved', 'failed', 'upcoming', ...entry],
  };
})();
