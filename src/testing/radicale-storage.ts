// Test harness: a big collection written straight into a test Radicale's filesystem storage, as
// Radicale 3's multifilesystem backend lays it out (collection-root/<user>/<collection>/, one file
// per item, the collection's properties in .Radicale.props as JSON). Over HTTP each PUT costs more
// as the collection grows (Radicale 3.1.8 reads every item of the collection to check the UID is
// new, under its one write lock): 2,000 events took 10+ minutes to load that way, and seconds this
// way. The server stays a real Radicale: it reads the files as it would its own.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { httpRequest } from './http-request.js';
import { basicAuth, type DavLogin, type RadicaleServer } from './radicale.js';

/** A collection to seed: its kind, name under the user's home and properties. */
export interface SeededCollection {
  kind: 'calendar' | 'addressbook';
  /** Its name under the user's home (one path segment). */
  name: string;
  displayName: string;
  /** Apple's calendar-color (calendars only). */
  color?: string;
  description: string;
  /** Supported components (calendars only), e.g. ['VEVENT']. */
  components?: string[];
}

/** Writes one whole collection at once (how the corpus loads its big collections when it can). */
export type CollectionSeed = (
  collection: SeededCollection,
  items: [name: string, data: string][],
) => Promise<void>;

/** Radicale's property keys for a collection, as its MKCALENDAR and MKCOL store them. */
function radicaleProps(c: SeededCollection): Record<string, string> {
  if (c.kind === 'addressbook') {
    return {
      tag: 'VADDRESSBOOK',
      'D:displayname': c.displayName,
      'CR:addressbook-description': c.description,
    };
  }
  return {
    tag: 'VCALENDAR',
    'D:displayname': c.displayName,
    'C:calendar-description': c.description,
    ...(c.color ? { 'ICAL:calendar-color': c.color } : {}),
    ...(c.components?.length ? { 'C:supported-calendar-component-set': c.components.join(',') } : {}),
  };
}

/**
 * A seed for one user of a running test Radicale (the user's principal must exist: addUser makes
 * it). The collection is written under a hidden name, which Radicale ignores, then renamed into
 * place, so the server never sees it half written; a PROPFIND of it afterwards makes Radicale parse
 * every item once and fill its item cache, as its own PUTs would have, so what is measured or
 * tested next does not pay for that.
 */
export function radicaleSeed(server: RadicaleServer, login: DavLogin): CollectionSeed {
  const home = path.join(server.dir, 'collections', 'collection-root', login.user);
  return async (collection, items) => {
    if (!/^[\w.-]+$/.test(collection.name) || collection.name.startsWith('.')) {
      throw new Error(`radicale seed: unsafe collection name ${collection.name}`);
    }
    const staging = path.join(home, `.seeding-${collection.name}`);
    await mkdir(staging, { recursive: true });
    await writeFile(path.join(staging, '.Radicale.props'), JSON.stringify(radicaleProps(collection)));
    for (let i = 0; i < items.length; i += 64) {
      await Promise.all(
        items.slice(i, i + 64).map(([name, data]) => writeFile(path.join(staging, name), data, 'utf8')),
      );
    }
    await rename(staging, path.join(home, collection.name));
    const listing = await httpRequest(
      'PROPFIND',
      `${server.url}/${login.user}/${collection.name}/`,
      { Authorization: basicAuth(login), Depth: '1', 'Content-Type': 'application/xml' },
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    );
    // And a sync-collection, so Radicale keeps each item's history as its PUT would have.
    const sync = await httpRequest(
      'REPORT',
      `${server.url}/${login.user}/${collection.name}/`,
      { Authorization: basicAuth(login), Depth: '1', 'Content-Type': 'application/xml' },
      '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>',
    );
    if (sync.status !== 207)
      throw new Error(`radicale seed: sync-collection of ${collection.name}: ${sync.status}`);
    const listed = [...listing.text.matchAll(/<(?:\w+:)?href>([^<]+)</g)].filter(
      (m) => !m[1]!.endsWith('/'),
    ).length;
    if (listing.status !== 207 || listed !== items.length) {
      throw new Error(
        `radicale seed: ${collection.name} lists ${listed} of ${items.length} items (${listing.status})`,
      );
    }
  };
}
