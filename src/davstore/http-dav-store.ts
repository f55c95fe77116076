import type { Logger } from '../log/logger.js';
import { TrancheError } from '../errors/tranche-error.js';
import { listCollectionsIn, makeCollection, patchCollection } from './dav-collections.js';
import { discoverHomes } from './dav-discovery.js';
import type { DavEndpoint } from './dav-endpoint.js';
import { DavHttp, type DavRequestWatch } from './dav-http.js';
import { deleteItem, getItem, listEtags, putItem, syncCollection } from './dav-items.js';
import type {
  CollectionKind,
  CollectionProperties,
  DavCollection,
  DavItem,
  DavItemRef,
  DavStore,
  SyncDelta,
  WriteOutcome,
} from './dav-store.js';

/** Options of a DAV store over HTTP. */
export interface HttpDavStoreOptions {
  /** Requests in flight at once (and keep-alive connections kept). */
  concurrency: number;
  /** Watches every request (tests). */
  watch?: DavRequestWatch;
  logger?: Logger;
}

/** The DAV store over CalDAV/CardDAV (HTTP): discovery, collections, items. */
export class HttpDavStore implements DavStore {
  readonly homes: Record<CollectionKind, string | undefined>;
  readonly #http: DavHttp;
  readonly #concurrency: number;

  private constructor(http: DavHttp, homes: Record<CollectionKind, string | undefined>, concurrency: number) {
    this.#http = http;
    this.homes = homes;
    this.#concurrency = concurrency;
  }

  /** Finds the user's homes (and so checks the login). */
  static async connect(endpoint: DavEndpoint, options: HttpDavStoreOptions): Promise<HttpDavStore> {
    const http = new DavHttp(endpoint, options.concurrency, options.watch);
    try {
      const homes = await discoverHomes(http, endpoint);
      return new HttpDavStore(http, homes, options.concurrency);
    } catch (error) {
      await http.close();
      throw error;
    }
  }

  #url(href: string): string {
    const base = this.homes.calendar ?? this.homes.addressbook;
    if (!base) throw new TrancheError('internal', 'DAV store without a home');
    return new URL(href, base).toString();
  }

  async listCollections(): Promise<DavCollection[]> {
    const homes = [...new Set([this.homes.calendar, this.homes.addressbook].filter((h): h is string => !!h))];
    const seen = new Set<string>();
    const out: DavCollection[] = [];
    for (const home of homes) {
      for (const c of await listCollectionsIn(this.#http, home)) {
        if (seen.has(c.href)) continue;
        seen.add(c.href);
        out.push(c);
      }
    }
    return out.sort((a, b) => (a.href < b.href ? -1 : a.href > b.href ? 1 : 0));
  }

  async createCollection(
    kind: CollectionKind,
    name: string,
    properties: CollectionProperties,
  ): Promise<DavCollection> {
    const home = this.homes[kind];
    if (!home) throw new TrancheError('folder-mapping', `the target has no ${kind} home`);
    const href = await makeCollection(this.#http, home, kind, name, properties);
    const made = (await listCollectionsIn(this.#http, home)).find((c) => c.href === href);
    if (!made) throw new TrancheError('server', `created ${kind} ${href}, but it is not listed`);
    return made;
  }

  async setProperties(collection: DavCollection, properties: CollectionProperties): Promise<void> {
    await patchCollection(this.#http, this.#url(collection.href), collection.kind, properties);
  }

  async listItems(collection: DavCollection): Promise<DavItemRef[]> {
    return listEtags(this.#http, this.#url(collection.href));
  }

  async syncItems(collection: DavCollection, token: string | undefined): Promise<SyncDelta> {
    if (!collection.supportsSync) return { kind: 'unsupported' };
    return syncCollection(this.#http, this.#url(collection.href), token);
  }

  async *getItems(collection: DavCollection, names: string[]): AsyncIterable<DavItem> {
    const url = this.#url(collection.href);
    // Keep `concurrency` GETs in flight, yielding in order as each arrives.
    const inFlight: Promise<DavItem | undefined>[] = [];
    let next = 0;
    const fill = (): void => {
      while (inFlight.length < this.#concurrency && next < names.length) {
        const p = getItem(this.#http, url, names[next++] as string);
        p.catch(() => undefined); // seen when awaited below; avoids an unhandled rejection meanwhile
        inFlight.push(p);
      }
    };
    fill();
    while (inFlight.length > 0) {
      const item = await (inFlight.shift() as Promise<DavItem | undefined>);
      fill();
      if (item) yield item;
    }
  }

  createItem(
    collection: DavCollection,
    name: string,
    data: Buffer,
    contentType: string,
  ): Promise<WriteOutcome> {
    return putItem(this.#http, this.#url(collection.href), name, data, contentType, { ifNoneMatch: '*' });
  }

  updateItem(
    collection: DavCollection,
    name: string,
    data: Buffer,
    contentType: string,
    etag: string,
  ): Promise<WriteOutcome> {
    return putItem(this.#http, this.#url(collection.href), name, data, contentType, { ifMatch: etag });
  }

  deleteItem(collection: DavCollection, name: string, etag: string | undefined): Promise<WriteOutcome> {
    return deleteItem(this.#http, this.#url(collection.href), name, etag);
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
