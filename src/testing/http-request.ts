// Test harness: one plain HTTP request over node:http, a new connection each time. Node's fetch
// (undici 7) trips an internal assertion on Radicale's replies (its server ends the connection
// while undici has paused the parser), so the harness and the checker use this instead.
import http from 'node:http';

/** A reply read whole. */
export interface PlainReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Sends one request and reads the whole reply. */
export function httpRequest(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<PlainReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const req = http.request(url, {
      method,
      agent: false,
      headers: payload ? { ...headers, 'Content-Length': String(payload.length) } : headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(payload);
  });
}
