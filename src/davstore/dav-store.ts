/** The two kinds of DAV collection tranche moves. */
export type CollectionKind = 'calendar' | 'addressbook';

/** The properties of a collection that move with it. */
export interface CollectionProperties {
  displayName: string | undefined;
  /** Apple's calendar-color (calendars only). */
  color: string | undefined;
  description: string | undefined;
  /** The component types a calendar holds (VEVENT, VTODO, VJOURNAL); empty when the server does not say. */
  components: string[];
}

/** A calendar or address book as a DAV store lists it. */
export interface DavCollection extends CollectionProperties {
  kind: CollectionKind;
  /** Its path on the server, ending in '/'. */
  href: string;
  /** Its name under the home: the last path segment, as the server spells it. */
  name: string;
  /** Whether the server offers sync-collection (RFC 6578) on it. */
  supportsSync: boolean;
}

/** An item as a listing gives it: its name in the collection and its ETag. */
export interface DavItemRef {
  name: string;
  etag: string;
}

/** An item with its bytes. */
export interface DavItem extends DavItemRef {
  data: Buffer;
  contentType: string;
}

/** What changed in a collection since a sync token. */
export type SyncDelta =
  | { kind: 'delta'; changed: DavItemRef[]; deleted: string[]; token: string }
  /** The server no longer knows the token (expired, or a different server): list everything. */
  | { kind: 'token-refused' }
  /** The server has no sync-collection on this collection. */
  | { kind: 'unsupported' };

/** The answer to a conditional write. */
export type WriteOutcome =
  | { kind: 'written'; etag: string | undefined }
  /** If-None-Match or If-Match did not hold: something is there, or it changed. */
  | { kind: 'precondition-failed' }
  /** The server refused the item itself (too large, forbidden, data refused, UID in use): the server's words kept. */
  | { kind: 'refused'; status: number; words: string; uidConflict: boolean };

/** One interface over a CalDAV/CardDAV account: collections and items, as vdirsyncer's storages are. */
export interface DavStore {
  /** Where calendars and address books are created. */
  readonly homes: Record<CollectionKind, string | undefined>;
  listCollections(): Promise<DavCollection[]>;
  /** Creates a collection under the kind's home with these properties. */
  createCollection(
    kind: CollectionKind,
    name: string,
    properties: CollectionProperties,
  ): Promise<DavCollection>;
  /** Sets display name, colour and description of an existing collection. */
  setProperties(collection: DavCollection, properties: CollectionProperties): Promise<void>;
  /** Every item's name and ETag (PROPFIND Depth 1). */
  listItems(collection: DavCollection): Promise<DavItemRef[]>;
  /** Changes since a token (no token: everything, and a first token), following 507 truncation. */
  syncItems(collection: DavCollection, token: string | undefined): Promise<SyncDelta>;
  /** Items by name, several requests at once; a name gone meanwhile is left out. */
  getItems(collection: DavCollection, names: string[]): AsyncIterable<DavItem>;
  /** Creates an item only if nothing has that name (If-None-Match: *). */
  createItem(
    collection: DavCollection,
    name: string,
    data: Buffer,
    contentType: string,
  ): Promise<WriteOutcome>;
  /** Replaces an item only if it still has this ETag (If-Match). */
  updateItem(
    collection: DavCollection,
    name: string,
    data: Buffer,
    contentType: string,
    etag: string,
  ): Promise<WriteOutcome>;
  /** Deletes an item (If-Match when an ETag is given). */
  deleteItem(collection: DavCollection, name: string, etag: string | undefined): Promise<WriteOutcome>;
  close(): Promise<void>;
}
