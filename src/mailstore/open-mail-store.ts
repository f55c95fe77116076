import { TrancheError } from '../errors/tranche-error.js';
import { imapStoreKind } from './imap/imap-store-kind.js';
import type { MailStore } from './mail-store.js';
import type { StoreKind } from './store-kind.js';
import type { StoreEndpoint } from './store-login.js';

/** Every kind of store by the scheme of its address: a new kind is its folder and one line here. */
const KINDS: ReadonlyMap<string, StoreKind> = new Map([
  ['imap:', imapStoreKind],
  ['imaps:', imapStoreKind],
]);

/** The kind of store an address names; a usage error, labelled, for a scheme no kind serves. */
export function storeKindOf(url: string, label: string): StoreKind {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:)/.exec(url)?.[1]?.toLowerCase();
  const kind = scheme === undefined ? undefined : KINDS.get(scheme);
  if (kind) return kind;
  const schemes = [...KINDS.keys()];
  if (scheme === undefined) {
    const forms = schemes.map((s) => `${s}//HOST[:PORT]`).join(' or ');
    throw new TrancheError('usage', `${label}: '${url}' is not a URL; expected ${forms}`);
  }
  const forms = schemes.map((s) => `${s}//`).join(' or ');
  throw new TrancheError('usage', `${label}: unsupported scheme '${scheme}'; expected ${forms}`);
}

/** Checks an address as the store it names would, without connecting: a usage error says what is wrong. */
export function checkStoreUrl(url: string, label: string): void {
  storeKindOf(url, label).check(url, label);
}

/** Connects and logs in to the store an address names, of whatever kind its scheme says. */
export function openMailStore(endpoint: StoreEndpoint, label = 'address'): Promise<MailStore> {
  return storeKindOf(endpoint.url, label).open(endpoint, label);
}

/** The server an address names, as HOST:PORT: what checkpoint keys hold. */
export function storeServer(url: string, label: string): string {
  return storeKindOf(url, label).server(url, label);
}
