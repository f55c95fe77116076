import type { Kysely } from 'kysely';
import type { CheckpointStore, FolderCheckpoint, PendingBatch } from '../copy/checkpoint.js';
import { UidMap } from '../copy/uid-map.js';
import { TrancheError } from '../errors/tranche-error.js';
import type { Database } from './schema.js';

/** The copy engine's checkpoints, kept in the state store (table sync_folder). */
export class SyncCheckpoints implements CheckpointStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async load(mailboxKey: string, sourceFolder: string): Promise<FolderCheckpoint | undefined> {
    const row = await this.#db
      .selectFrom('sync_folder')
      .selectAll()
      .where('mailbox_key', '=', mailboxKey)
      .where('source_folder', '=', sourceFolder)
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      return {
        sourceFolder: row.source_folder,
        targetFolder: row.target_folder,
        sourceUidValidity: Number(row.source_uid_validity),
        targetUidValidity: Number(row.target_uid_validity),
        highestModseq: row.highest_modseq ?? undefined,
        map: UidMap.decode(row.uid_map),
        pending: row.pending ? (JSON.parse(row.pending) as PendingBatch) : undefined,
        ...(row.unreadable ? { unreadable: JSON.parse(row.unreadable) as number[] } : {}),
        ...(row.source_uid_next !== null ? { sourceUidNext: Number(row.source_uid_next) } : {}),
        ...(row.source_messages_after_deletes !== null
          ? { sourceMessagesAfterDeletes: Number(row.source_messages_after_deletes) }
          : {}),
        ...(row.keywords_not_kept ? { keywordsNotKept: JSON.parse(row.keywords_not_kept) as string[] } : {}),
      };
    } catch (error) {
      throw new TrancheError('state', `checkpoint of folder '${sourceFolder}' is unreadable`, {
        cause: error,
      });
    }
  }

  async save(mailboxKey: string, checkpoint: FolderCheckpoint): Promise<void> {
    const row = {
      mailbox_key: mailboxKey,
      source_folder: checkpoint.sourceFolder,
      target_folder: checkpoint.targetFolder,
      source_uid_validity: checkpoint.sourceUidValidity,
      target_uid_validity: checkpoint.targetUidValidity,
      highest_modseq: checkpoint.highestModseq ?? null,
      uid_map: checkpoint.map.encode(),
      pending: checkpoint.pending ? JSON.stringify(checkpoint.pending) : null,
      unreadable: checkpoint.unreadable?.length ? JSON.stringify(checkpoint.unreadable) : null,
      source_uid_next: checkpoint.sourceUidNext ?? null,
      source_messages_after_deletes: checkpoint.sourceMessagesAfterDeletes ?? null,
      keywords_not_kept: checkpoint.keywordsNotKept?.length
        ? JSON.stringify(checkpoint.keywordsNotKept)
        : null,
    };
    const { mailbox_key: _k, source_folder: _f, ...update } = row;
    await this.#db
      .insertInto('sync_folder')
      .values(row)
      .onConflict((c) =>
        c
          .columns(['mailbox_key', 'source_folder'])
          .doUpdateSet({ ...update, updated_at: new Date().toISOString() }),
      )
      .execute();
  }
}
