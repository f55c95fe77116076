import type { DavEndpoint } from '../../davstore/dav-endpoint.js';
import { HttpDavStore } from '../../davstore/http-dav-store.js';
import { toTrancheError } from '../../errors/tranche-error.js';

/** Requests in flight at once while counting one mailbox's items. */
const CONCURRENCY = 4;

/** What discovery learns of one mailbox's DAV side. */
export interface DavSideFound {
  /** Undefined when the login worked; otherwise the error, for the caller to classify and word. */
  error: unknown;
  calendars?: number;
  addressbooks?: number;
  calendarItems?: number;
  contacts?: number;
}

/**
 * Logs in to one DAV side (finding the user's homes) and, with COUNT, counts its calendars, address
 * books and their items (one PROPFIND per collection, no item read).
 */
export async function probeDav(endpoint: DavEndpoint, count: boolean): Promise<DavSideFound> {
  let store: HttpDavStore | undefined;
  try {
    store = await HttpDavStore.connect(endpoint, { concurrency: CONCURRENCY });
    if (!count) return { error: undefined };
    const collections = await store.listCollections();
    const sizes = await Promise.all(collections.map(async (c) => (await store!.listItems(c)).length));
    const found = { error: undefined, calendars: 0, addressbooks: 0, calendarItems: 0, contacts: 0 };
    collections.forEach((c, i) => {
      if (c.kind === 'calendar') {
        found.calendars++;
        found.calendarItems += sizes[i] ?? 0;
      } else {
        found.addressbooks++;
        found.contacts += sizes[i] ?? 0;
      }
    });
    return found;
  } catch (error) {
    return { error: toTrancheError(error) };
  } finally {
    await store?.close();
  }
}
