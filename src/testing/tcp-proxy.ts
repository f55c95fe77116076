import { createServer, connect, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy in front of a real server, to cut connections or add latency in tests. */
export interface TcpProxy {
  port: number;
  url: string;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  /**
   * The most connections open at once (neither side has ended it) since the start or resetPeak(),
   * each counted at the end of the poll phase that accepted it.
   */
  readonly peak: number;
  resetPeak(): void;
  /** Bytes passed from server to client ('down') and client to server ('up') so far. */
  readonly bytes: { up: number; down: number };
  /** Changes the delay of each chunk from now on (a server slowing down, then recovering). */
  setDelay(ms: number): void;
  /**
   * Stops passing data both ways (it is kept, in order, not lost) until release(): connections stay
   * open, as with a server that stalls mid-reply. New connections are held too.
   */
  hold(): void;
  /** Like hold(), for the connections open now only: new ones pass as usual. */
  holdOpen(): void;
  /** Passes on everything held (by hold() or holdOpen()), and everything after, again. */
  release(): void;
  /** Destroys every open connection, as a network failure would. */
  dropAll(): void;
  /**
   * Calls back with every chunk that goes that way (to count commands in a test), with the number
   * of the connection it belongs to (1 for the first): one connection's bytes are a stream, the
   * chunks of several are not.
   */
  tap(direction: 'up' | 'down', listener: (chunk: Buffer, connection: number) => void): void;
  /** Calls back once, when at least `bytes` have gone that way in total. */
  onBytes(direction: 'up' | 'down', bytes: number, callback: () => void): void;
  close(): Promise<void>;
}

/** Starts a proxy from a free loopback port to host:port; `delayMs` delays each chunk one way. */
export async function startTcpProxy(host: string, port: number, delayMs = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let open = 0;
  let peak = 0;
  const bytes = { up: 0, down: 0 };
  const watchers: { direction: 'up' | 'down'; bytes: number; callback: () => void }[] = [];
  const taps: { direction: 'up' | 'down'; listener: (chunk: Buffer, connection: number) => void }[] = [];
  let held = false;
  const flushes = new Set<() => void>();
  /** Each open relay's own hold (holdOpen()). */
  const ownHolds = new Set<(on: boolean) => void>();
  const relay = (from: Socket, to: Socket, direction: 'up' | 'down', connection: number): void => {
    // Chunks leave in order, each no sooner than its delay, through one queue per direction: a delay
    // that drops (the proxy switched back to fast) never lets a chunk pass the one ahead of it.
    const queue: { chunk: Buffer; due: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let closing = false;
    let heldHere = false;
    const isHeld = (): boolean => held || heldHere;
    // The other side closed: end this one once every chunk is passed on. end(), not destroy(): a
    // large reply still in the socket's buffer (a server that closes after each reply, as Radicale
    // does) would otherwise be cut off and the client see "socket hang up".
    const finish = (): void => {
      if (!to.destroyed) to.end();
    };
    const flush = (): void => {
      timer = undefined;
      if (isHeld()) return;
      while (queue.length > 0 && queue[0]!.due <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - Date.now());
      else if (closing) finish();
    };
    // Released, a held queue goes on from where it stopped.
    const restart = (): void => {
      if (!timer) flush();
    };
    flushes.add(restart);
    const holdHere = (on: boolean): void => {
      heldHere = on;
    };
    ownHolds.add(holdHere);
    to.on('close', () => {
      flushes.delete(restart);
      ownHolds.delete(holdHere);
    });
    from.on('data', (chunk: Buffer) => {
      bytes[direction] += chunk.length;
      for (const t of taps) if (t.direction === direction) t.listener(chunk, connection);
      for (const w of watchers.filter((w) => w.direction === direction && bytes[direction] >= w.bytes)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.callback();
      }
      if (delayMs <= 0 && queue.length === 0 && !isHeld()) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      queue.push({ chunk, due: Date.now() + delayMs });
      if (!timer && !isHeld()) timer = setTimeout(flush, Math.max(0, queue[0]!.due - Date.now()));
    });
    from.on('close', () => {
      // Closed while held: the other side is ended once what was held has gone.
      if (isHeld() && queue.length > 0) closing = true;
      else
        setTimeout(() => {
          closing = true;
          if (queue.length === 0) finish();
        }, delayMs);
    });
    from.on('error', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    connections++;
    // Counted once the rest of this poll phase is handled: a connection whose FIN (the client's or
    // the server's) is read in the same phase as this accept has left first. A proxy that was not
    // scheduled while one worker logged out and the next connected sees all of it in one phase,
    // the accept maybe first (a fresh clone's full suite saw 3 connections through a limit of 2).
    setImmediate(() => {
      peak = Math.max(peak, ++open);
    });
    const upstream = connect(port, host);
    // No Nagle in the proxy: it must add only its delay, never coalesce small segments itself.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // A connection has left once either side ends it: the server's FIN or reset (after LOGOUT it
    // closes before the client has even read the answer) or the client's. Counted as the FIN or
    // reset is read, not at 'close', which comes a loop phase later; and not only on the client's
    // side, whose FIN can be read in the same poll phase as the next client's accept (CI saw 3
    // connections at once through a limit of 2 that way, under load).
    let left = false;
    const leave = (): void => {
      if (!left) open--;
      left = true;
    };
    for (const side of [client, upstream]) {
      side.on('end', leave);
      side.on('error', leave);
    }
    client.on('close', () => {
      leave();
      sockets.delete(client);
    });
    upstream.on('close', () => {
      leave();
      sockets.delete(upstream);
    });
    relay(client, upstream, 'up', connections);
    relay(upstream, client, 'down', connections);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const proxyPort = typeof address === 'object' && address ? address.port : 0;
  return {
    port: proxyPort,
    url: `imap://127.0.0.1:${proxyPort}`,
    get connections() {
      return connections;
    },
    get peak() {
      return peak;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    resetPeak: () => {
      peak = open;
    },
    tap: (direction, listener) => {
      taps.push({ direction, listener });
    },
    get bytes() {
      return { ...bytes };
    },
    hold: () => {
      held = true;
    },
    holdOpen: () => {
      for (const hold of ownHolds) hold(true);
    },
    release: () => {
      held = false;
      for (const hold of ownHolds) hold(false);
      for (const restart of flushes) restart();
    },
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    onBytes: (direction, count, callback) => void watchers.push({ direction, bytes: count, callback }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
