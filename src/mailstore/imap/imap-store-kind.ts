import type { StoreKind } from '../store-kind.js';
import { parseImapUrl } from './endpoint.js';
import { WireStore } from './wire-store.js';

/** IMAP, over STARTTLS (imap://) or implicit TLS (imaps://), through tranche's own client. */
export const imapStoreKind: StoreKind = {
  check(url, label) {
    parseImapUrl(url, label);
  },
  server(url, label) {
    const { host, port } = parseImapUrl(url, label);
    return `${host}:${port}`;
  },
  open(endpoint, label) {
    return WireStore.connect({ ...parseImapUrl(endpoint.url, label), ...endpoint });
  },
};
