// Test harness: a DAV server without sync-collection (RFC 6578), made from a real one. Neither
// Radicale nor Xandikos can be configured to go without it, so this front passes every request
// through to a real Radicale except the sync-collection REPORT, which it refuses as servers without
// it do, and (unless told otherwise) it drops sync-collection from the supported-report-set that
// PROPFIND lists, as such a server would never offer it. A scripted front, because no real server
// here lacks the report (house style, point 11).
import http from 'node:http';

/** How the front refuses. */
export interface NoSyncOptions {
  /** The status of a refused sync-collection: 403 with DAV:supported-report (RFC 3253 3.6), or 501. */
  status: 403 | 501;
  /** Still list sync-collection in supported-report-set (a server that offers what it then refuses). */
  advertise: boolean;
}

/** A running front. */
export interface NoSyncFront {
  port: number;
  /** `http://127.0.0.1:${port}` */
  url: string;
  /** sync-collection REPORTs refused so far. */
  readonly refused: number;
  /** Requests passed through so far. */
  readonly passed: number;
  close(): Promise<void>;
}

const SYNC_IN_REPORT_SET =
  /<(?:[\w-]+:)?supported-report>\s*<(?:[\w-]+:)?report>\s*<(?:[\w-]+:)?sync-collection\s*\/>\s*<\/(?:[\w-]+:)?report>\s*<\/(?:[\w-]+:)?supported-report>/g;

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function refusal(status: 403 | 501): { body: string; type: string } {
  if (status === 501) return { body: 'sync-collection is not implemented here\n', type: 'text/plain' };
  return {
    body: '<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:supported-report/></D:error>',
    type: 'application/xml; charset=utf-8',
  };
}

/** Starts the front on a free loopback port, in front of the DAV server at http://host:port. */
export async function startNoSyncFront(
  host: string,
  port: number,
  options: NoSyncOptions = { status: 403, advertise: false },
): Promise<NoSyncFront> {
  let refused = 0;
  let passed = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'REPORT' && /sync-collection/.test(body.toString('utf8'))) {
        refused++;
        const { body: text, type } = refusal(options.status);
        res.writeHead(options.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      passed++;
      const headers = { ...req.headers, host: `${host}:${port}` };
      const upstream = http.request({ host, port, method: req.method, path: req.url, headers, agent: false });
      upstream.on('error', () => res.destroy());
      upstream.on('response', (reply) => {
        void readBody(reply).then(
          (raw) => {
            let out = raw;
            if (req.method === 'PROPFIND' && !options.advertise) {
              out = Buffer.from(raw.toString('utf8').replace(SYNC_IN_REPORT_SET, ''), 'utf8');
            }
            const replyHeaders = { ...reply.headers, 'content-length': String(out.length) };
            delete replyHeaders['transfer-encoding'];
            res.writeHead(reply.statusCode ?? 502, replyHeaders);
            res.end(out);
          },
          () => res.destroy(),
        );
      });
      upstream.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    port: listening,
    url: `http://127.0.0.1:${listening}`,
    get refused() {
      return refused;
    },
    get passed() {
      return passed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
