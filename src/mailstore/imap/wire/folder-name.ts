import iconv from 'iconv-lite';

/**
 * A folder name as sent on the wire: modified UTF-7 (RFC 3501 5.1.3) when it has '&' or anything
 * outside printable ASCII (control characters such as TAB included: they may not stand raw).
 */
export function encodeFolderName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  return /[&\u0000-\u001f\u007f-\uffff]/.test(name)
    ? iconv.encode(name, 'utf-7-imap').toString('latin1')
    : name;
}

/** A folder name as received: modified UTF-7 decoded to UTF-8. */
export function decodeFolderName(wire: string): string {
  return wire.includes('&') ? iconv.decode(Buffer.from(wire, 'latin1'), 'utf-7-imap') : wire;
}
