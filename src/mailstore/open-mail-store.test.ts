import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { imapStoreKind } from './imap/imap-store-kind.js';
import { checkStoreUrl, storeKindOf, storeServer } from './open-mail-store.js';

describe('stores made by scheme', () => {
  it('imap: and imaps: make an IMAP store, with the default port filled in', () => {
    assert.equal(storeKindOf('imap://mail.example', 'x'), imapStoreKind);
    assert.equal(storeKindOf('IMAPS://mail.example', 'x'), imapStoreKind);
    assert.equal(storeServer('imap://mail.example', 'x'), 'mail.example:143');
    assert.equal(storeServer('imaps://mail.example', 'x'), 'mail.example:993');
    assert.equal(storeServer('imaps://[::1]:1993', 'x'), '::1:1993');
  });

  it('a scheme no store serves, or no URL at all, is a usage error naming the flag', () => {
    for (const [url, words] of [
      ['pop3://mail.example', /--source: unsupported scheme 'pop3:'; expected imap:\/\/ or imaps:\/\//],
      ['mail.example', /--source: 'mail.example' is not a URL/],
    ] as const) {
      assert.throws(
        () => checkStoreUrl(url, '--source'),
        (error: unknown) =>
          error instanceof TrancheError && error.type === 'usage' && words.test(error.message),
      );
    }
  });

  it('the kind checks its own addresses: a path is refused by IMAP', () => {
    assert.throws(() => checkStoreUrl('imap://mail.example/INBOX', '--target'), /only a host and port/);
  });
});
