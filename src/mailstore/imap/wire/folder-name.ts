// Modified UTF-7 (RFC 3501 5.1.3) written here rather than taken from iconv-lite: iconv-lite loads
// every encoding table it has (600 KB of code, ~8 MB of a process's RSS, measured) for this one
// codec, and a delta pass must fit in 64 MB whole (docs/ARCHITECTURE.md). The tests check it
// against iconv-lite.

/** Characters that stand for themselves: printable ASCII. '&' is written '&-'. */
function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** UTF-16 big-endian bytes of a run of characters, in modified base64 (',' for '/', no padding). */
function shift(run: string): string {
  const bytes = Buffer.alloc(run.length * 2);
  for (let i = 0; i < run.length; i++) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
  return `&${bytes.toString('base64').replace(/=+$/, '').replaceAll('/', ',')}-`;
}

/**
 * A folder name as sent on the wire: modified UTF-7 when it has '&' or anything outside printable
 * ASCII (control characters such as TAB included: they may not stand raw).
 */
export function encodeFolderName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  if (!/[&\u0000-\u001f\u007f-\uffff]/.test(name)) return name;
  let out = '';
  let run = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (isDirect(code)) {
      if (run) out += shift(run);
      run = '';
      out += code === 0x26 ? '&-' : name[i];
    } else run += name[i];
  }
  return run ? out + shift(run) : out;
}

/** A folder name as received: modified UTF-7 decoded (a malformed shift is kept as it came). */
export function decodeFolderName(wire: string): string {
  if (!wire.includes('&')) return wire;
  return wire.replace(/&([A-Za-z0-9+,]*)-/g, (whole, b64: string) => {
    if (b64 === '') return '&';
    const bytes = Buffer.from(b64.replaceAll(',', '/'), 'base64');
    if (bytes.length % 2 !== 0) return whole;
    let text = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode(bytes.readUInt16BE(i));
    return text || whole;
  });
}
