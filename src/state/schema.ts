import type { Generated } from 'kysely';

/** One row per (mailbox, source folder): the copy engine's checkpoint. */
export interface SyncFolderTable {
  mailbox_key: string;
  source_folder: string;
  target_folder: string;
  source_uid_validity: number;
  target_uid_validity: number;
  highest_modseq: string | null;
  uid_map: Uint8Array;
  pending: string | null;
  updated_at: Generated<string>;
}

/** A source or target server of a programme. */
export interface EndpointTable {
  name: string;
  url: string;
  insecure: number;
  allow_plaintext: number;
  admin: string | null;
  login_template: string | null;
  /** The admin's password, sealed by SecretBox. */
  admin_secret: string | null;
  max_connections: number;
  max_mailboxes: number;
  bytes_per_hour: string | number | null;
  max_message_size: string | number | null;
  created_at: Generated<string>;
}

/** A member organisation of a programme. */
export interface OrganisationTable {
  code: string;
  name: string;
  /** Admin contact addresses, separated by ';'. */
  admin_contacts: Generated<string>;
  pilot: Generated<number>;
  /** ISO dates, separated by ';'. */
  blackout_dates: Generated<string>;
  updated_at: Generated<string>;
}

/** One mailbox to move: where it is, where it goes, whom to tell. */
export interface MailboxTable {
  address: string;
  organisation: string | null;
  display_name: Generated<string>;
  source_endpoint: string;
  source_user: string;
  /** The source login's password, sealed; null when the endpoint's admin logs in. */
  source_secret: string | null;
  target_endpoint: string;
  target_user: string;
  target_secret: string | null;
  notify_address: string;
  state: Generated<string>;
  updated_at: Generated<string>;
  folder_count: number | null;
  message_count: string | number | null;
  size_bytes: string | number | null;
  /** ok, bad-password, disabled, unreachable, no-password or error; null until discovered. */
  source_login: string | null;
  target_login: string | null;
  /** The servers' words for a failed login, for people. */
  discover_detail: string | null;
  discovered_at: string | null;
}

/** The state store's tables, as Kysely sees them. */
export interface Database {
  sync_folder: SyncFolderTable;
  endpoint: EndpointTable;
  organisation: OrganisationTable;
  mailbox: MailboxTable;
}
