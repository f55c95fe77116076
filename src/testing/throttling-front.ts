import { connect, createServer, type Server, type Socket } from 'node:net';

/** A scripted IMAP front that throttles logins, then lets connections through to a real server. */
export interface ThrottlingFront {
  port: number;
  url: string;
  /** Logins refused as throttled so far. */
  readonly throttled: number;
  close(): Promise<void>;
}

/**
 * In front of a real IMAP server on host:port: the first connections (one per entry of HINTS) meet a
 * scripted server that answers every login with Office 365's throttling reply, `NO [THROTTLED] Request
 * is throttled. Suggested Backoff Time: N milliseconds`, N from HINTS; later connections pass through.
 * A scripted server, because no real one here can be made to throttle (house style, point 11).
 */
export async function startThrottlingFront(
  host: string,
  port: number,
  hints: number[],
): Promise<ThrottlingFront> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let throttled = 0;
  const script = (client: Socket, hint: number): void => {
    const capabilities = 'IMAP4rev1 AUTH=PLAIN SASL-IR';
    client.write(`* OK [CAPABILITY ${capabilities}] scripted throttling server\r\n`);
    let buffered = '';
    client.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const [tag = '*', command = ''] = buffered.slice(0, end).split(' ');
        buffered = buffered.slice(end + 2);
        if (/^CAPABILITY$/i.test(command)) client.write(`* CAPABILITY ${capabilities}\r\n${tag} OK done\r\n`);
        else if (/^LOGOUT$/i.test(command)) client.end(`* BYE bye\r\n${tag} OK done\r\n`);
        else {
          throttled++;
          client.write(
            `${tag} NO [THROTTLED] Request is throttled. Suggested Backoff Time: ${hint} milliseconds\r\n`,
          );
        }
      }
    });
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const hint = hints[connections++];
    if (hint !== undefined) return script(client, hint);
    const upstream = connect(port, host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    port: listening,
    url: `imap://127.0.0.1:${listening}`,
    get throttled() {
      return throttled;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
