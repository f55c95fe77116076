import { connect, createServer, type Server, type Socket } from 'node:net';
import type { RawResponse } from '../mailstore/imap/wire/response-reader.js';

/** A listening front: where clients connect, and how to stop it with every connection it holds. */
export interface ListeningFront {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port and pairs each client connection with one to the real server at
 * host:port (either side closing closes the other); WIRE sets up what passes between them.
 */
export async function listenFront(
  host: string,
  port: number,
  wire: (client: Socket, upstream: Socket) => void,
): Promise<ListeningFront> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(port, host);
    sockets.add(upstream);
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', () => client.destroy());
    upstream.on('error', () => client.destroy());
    wire(client, upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    port: listening,
    url: `imap://127.0.0.1:${listening}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One command or response back in bytes: its lines with each literal (as `{n+}` for a command). */
export function serialise(message: RawResponse, literalMarker: (n: number) => string): Buffer {
  const parts: Buffer[] = [];
  message.lines.forEach((line, i) => {
    const literal = message.literals[i];
    if (literal === undefined) {
      parts.push(Buffer.from(`${line}\r\n`, 'utf8'));
      return;
    }
    const bytes = Buffer.concat(literal);
    parts.push(Buffer.from(`${line}${literalMarker(bytes.length)}\r\n`, 'utf8'), bytes);
  });
  return Buffer.concat(parts);
}
