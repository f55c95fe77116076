import type { MailStore } from './mail-store.js';
import type { StoreEndpoint } from './store-login.js';

/** One kind of mail store, reached through the schemes it is registered under (open-mail-store.ts). */
export interface StoreKind {
  /** Throws a usage error, labelled, when the address is not one this kind can reach. */
  check(url: string, label: string): void;
  /** The server an address names, as HOST:PORT (default port filled in): part of checkpoint keys. */
  server(url: string, label: string): string;
  /** Connects and logs in; throws a typed error when that fails. */
  open(endpoint: StoreEndpoint, label: string): Promise<MailStore>;
}
