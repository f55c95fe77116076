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

/** The state store's tables, as Kysely sees them. */
export interface Database {
  sync_folder: SyncFolderTable;
}
