import { setTimeout as sleep } from 'node:timers/promises';
import { listenFront } from './imap-front.js';

/** A scripted front that drops a session as Exchange Online does when its token expires. */
export interface TokenExpiryFront {
  port: number;
  url: string;
  /** Connections opened through the front so far. */
  readonly connections: number;
  /** Sessions ended with the expiry BYE so far. */
  readonly expired: number;
  /**
   * Once `bytes` more have gone from client to server (mid-APPEND, for a large copy), holds the
   * session for `holdMs` (the token runs out meanwhile), then sends
   * `* BYE Session invalidated - AccessTokenExpired` and closes, as Exchange Online does.
   */
  expireAfter(bytes: number, holdMs: number): void;
  close(): Promise<void>;
}

/**
 * In front of a real IMAP server on host:port, passing everything through until told to expire a
 * session. A scripted front, because Dovecot checks a token only at login and never ends a session
 * when it expires (house style, point 11).
 */
export async function startTokenExpiryFront(host: string, port: number): Promise<TokenExpiryFront> {
  let connections = 0;
  let expired = 0;
  let upBytes = 0;
  let trigger: { at: number; holdMs: number } | undefined;
  const front = await listenFront(host, port, (client, upstream) => {
    connections++;
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      upBytes += chunk.length;
      if (trigger && upBytes >= trigger.at) {
        const { holdMs } = trigger;
        trigger = undefined;
        // The server side goes at once; the client's stays open for the BYE.
        upstream.removeAllListeners('close');
        upstream.destroy();
        client.pause();
        void sleep(holdMs).then(() => {
          expired++;
          client.end('* BYE Session invalidated - AccessTokenExpired\r\n');
        });
        return;
      }
      upstream.write(chunk);
    });
  });
  return {
    port: front.port,
    url: front.url,
    get connections() {
      return connections;
    },
    get expired() {
      return expired;
    },
    expireAfter(bytes, holdMs) {
      trigger = { at: upBytes + bytes, holdMs };
    },
    close: () => front.close(),
  };
}
