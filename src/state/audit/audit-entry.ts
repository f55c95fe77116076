/** One change as the audit trail records it. */
export interface AuditEntry {
  /** Who did it. */
  actor: string;
  /** What was done: `mailbox.hold`, `org.move`, `endpoint.pause`, `import.mailboxes`, `plan`, … */
  action: string;
  /** What it was done to: an address, an organisation code, an endpoint name, a day. */
  subject: string;
  organisation?: string | null;
  reason?: string | null;
  /** The subject before and after (only what changed); kept as JSON. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/** One recorded change, as the trail is read. */
export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  organisation: string | null;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
