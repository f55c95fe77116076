import type { Kysely } from 'kysely';
import type { DavCheckpointStore, DavCollectionCheckpoint } from '../copy/dav/dav-checkpoint.js';
import { ItemMap } from '../copy/dav/item-map.js';
import type { CollectionKind } from '../davstore/dav-store.js';
import { TrancheError } from '../errors/tranche-error.js';
import type { Database } from './schema.js';

/** The DAV copy's checkpoints, kept in the state store (table dav_collection). */
export class DavCheckpoints implements DavCheckpointStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async load(accountKey: string, sourceCollection: string): Promise<DavCollectionCheckpoint | undefined> {
    const row = await this.#db
      .selectFrom('dav_collection')
      .selectAll()
      .where('account_key', '=', accountKey)
      .where('source_collection', '=', sourceCollection)
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      return {
        kind: row.kind as CollectionKind,
        sourceCollection: row.source_collection,
        targetCollection: row.target_collection,
        syncToken: row.sync_token ?? undefined,
        items: ItemMap.decode(row.item_map),
        retry: row.retry ? (JSON.parse(row.retry) as string[]) : [],
      };
    } catch (error) {
      throw new TrancheError('state', `checkpoint of collection '${sourceCollection}' is unreadable`, {
        cause: error,
      });
    }
  }

  async save(accountKey: string, checkpoint: DavCollectionCheckpoint): Promise<void> {
    const row = {
      account_key: accountKey,
      source_collection: checkpoint.sourceCollection,
      target_collection: checkpoint.targetCollection,
      kind: checkpoint.kind,
      sync_token: checkpoint.syncToken ?? null,
      item_map: checkpoint.items.encode(),
      retry: checkpoint.retry.length > 0 ? JSON.stringify(checkpoint.retry) : null,
    };
    const { account_key: _k, source_collection: _c, ...update } = row;
    await this.#db
      .insertInto('dav_collection')
      .values(row)
      .onConflict((c) =>
        c
          .columns(['account_key', 'source_collection'])
          .doUpdateSet({ ...update, updated_at: new Date().toISOString() }),
      )
      .execute();
  }
}
