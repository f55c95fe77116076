// Test fixture for the DAV copy: endpoints and stores on the test Radicale and Xandikos, a run of
// the engine with a state store, and the checker's view of both sides.
import { basicAuth, type DavLogin, type RadicaleServer } from './radicale.js';
import type { XandikosServer } from './xandikos.js';
import type { DavEndpoint } from '../davstore/dav-endpoint.js';
import { HttpDavStore } from '../davstore/http-dav-store.js';
import type { DavRequestWatch } from '../davstore/dav-http.js';
import { DEFAULT_DAV_SYNC, syncDavAccount } from '../copy/dav/sync-dav-account.js';
import type { DavSyncReport } from '../copy/dav/dav-sync-report.js';
import { DavCheckpoints } from '../state/dav-checkpoints.js';
import { openStateStore } from '../state/open-state-store.js';
import { silentLogger } from '../log/logger.js';
import type { SnapshotSource } from './dav-snapshot.js';

/** The endpoint of a Radicale user, as the user or (with admin) as Radicale's admin. */
export function radicaleEndpoint(server: RadicaleServer, user: DavLogin, asAdmin = false): DavEndpoint {
  const login = asAdmin ? server.admin : user;
  return {
    url: new URL(asAdmin ? `${server.url}/${user.user}/` : `${server.url}/`),
    user: user.user,
    login: { kind: 'basic', user: login.user, password: login.password },
    asAdmin,
    insecure: false,
  };
}

/** The endpoint of the Xandikos user (discovered from the server's root). */
export function xandikosEndpoint(server: XandikosServer): DavEndpoint {
  return {
    url: new URL(`${server.url}/`),
    user: server.principal.replace(/\//g, ''),
    login: { kind: 'basic', user: 'any', password: 'unused' },
    asAdmin: false,
    insecure: false,
  };
}

/** Runs one DAV sync pass with the engine, checkpoints in the given state file. */
export async function runDavSync(
  source: DavEndpoint,
  target: DavEndpoint,
  statePath: string,
  options: { propagateDeletes?: boolean; watch?: DavRequestWatch; concurrency?: number } = {},
): Promise<DavSyncReport> {
  const db = await openStateStore(statePath);
  const concurrency = options.concurrency ?? DEFAULT_DAV_SYNC.concurrency;
  const [s, t] = await Promise.all([
    HttpDavStore.connect(source, { concurrency }),
    HttpDavStore.connect(target, { concurrency, watch: options.watch }),
  ]);
  try {
    return await syncDavAccount({
      accountKey: 'test',
      source: s,
      target: t,
      kinds: ['calendar', 'addressbook'],
      checkpoints: new DavCheckpoints(db),
      options: { ...DEFAULT_DAV_SYNC, concurrency, propagateDeletes: options.propagateDeletes ?? false },
      logger: silentLogger(),
    });
  } finally {
    await Promise.all([s.close(), t.close(), db.destroy()]);
  }
}

/** What the checker reads for a Radicale user (as the user). */
export function radicaleSnapshotSource(server: RadicaleServer, user: DavLogin): SnapshotSource {
  return { homes: [`${server.url}/${user.user}/`], authorization: basicAuth(user) };
}

/** What the checker reads for the Xandikos user. */
export function xandikosSnapshotSource(server: XandikosServer): SnapshotSource {
  return {
    homes: [`${server.url}${server.principal}calendars/`, `${server.url}${server.principal}contacts/`],
    authorization: 'Basic eDp4',
  };
}
