import type { TcpProxy } from './tcp-proxy.js';

/** How much of a line is kept: tests look at command and reply lines, not at a literal's bytes. */
const KEPT = 200;

/**
 * Calls back with each line that goes `direction` through the proxy, connection by connection: the
 * chunks of several connections are not one stream, and read as one, one connection's chunk would
 * continue another's open line. Of a line still open at a chunk's end only its first 200 characters
 * are kept (a literal can run for megabytes), and a CR that ends it (the first half of a CRLF).
 */
export function onProxyLines(
  proxy: TcpProxy,
  direction: 'up' | 'down',
  listener: (line: string, connection: number) => void,
): void {
  const open = new Map<number, string>();
  proxy.tap(direction, (chunk, connection) => {
    const lines = ((open.get(connection) ?? '') + chunk.toString('latin1')).split('\r\n');
    const last = lines.pop() ?? '';
    open.set(connection, last.length > KEPT ? last.slice(0, KEPT) + (last.endsWith('\r') ? '\r' : '') : last);
    for (const line of lines) listener(line, connection);
  });
}
