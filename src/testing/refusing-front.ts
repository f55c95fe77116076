import { connect, createServer, type Server, type Socket } from 'node:net';
import { ResponseReader, type RawResponse } from '../mailstore/imap/wire/response-reader.js';

/** A scripted IMAP front that refuses chosen commands mid-session and passes everything else through. */
export interface RefusingFront {
  port: number;
  url: string;
  /** Commands refused so far. */
  readonly refused: number;
  /** Commands that matched so far, refused or not. */
  readonly matched: number;
  close(): Promise<void>;
}

/** Which commands the front refuses, and how. */
export interface RefusalScript {
  /** Matched against a command's first line after its tag ("APPEND INBOX (\Seen) ..."). */
  command: RegExp;
  /** Which matches (1-based, counted over all connections) are refused instead of forwarded. */
  refuse: number[];
  /** The tagged reply to a refused command, after its tag: `NO [THROTTLED] ...`. */
  reply: string;
  /**
   * Matches not refused are forwarded with each literal changed by this (a target that normalises
   * what it stores, seen by the client only in the size it reports afterwards).
   */
  alter?: (literal: Buffer) => Buffer;
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

/**
 * In front of a real IMAP server on host:port: every command passes through whole, except the
 * chosen matches of SCRIPT, which the server never sees and which are answered with SCRIPT's reply
 * once the server has answered the commands sent before them. A scripted server, because no real
 * one here can be made to throttle in the middle of a folder (house style, point 11). Clients must
 * send literals non-synchronising (LITERAL+), as tranche does when the server offers it.
 */
export async function startRefusingFront(
  host: string,
  port: number,
  script: RefusalScript,
): Promise<RefusingFront> {
  const sockets = new Set<Socket>();
  let matched = 0;
  let refused = 0;
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
    // Tags forwarded and not yet answered, and replies waiting until those before them are answered.
    const outstanding = new Set<string>();
    const waiting: { after: Set<string>; reply: string }[] = [];
    const flush = (): void => {
      while (waiting[0] && [...waiting[0].after].every((tag) => !outstanding.has(tag))) {
        client.write(waiting.shift()!.reply);
      }
    };
    const commands = new ResponseReader();
    client.on('data', (chunk: Buffer) => {
      for (const command of commands.push(chunk)) {
        const first = command.lines[0] ?? '';
        const space = first.indexOf(' ');
        if (space < 0) {
          // A continuation line of a SASL exchange: no tag, nothing to answer.
          upstream.write(serialise(command, (n) => `{${n}+}`));
          continue;
        }
        const tag = first.slice(0, space);
        if (script.command.test(first.slice(space + 1)) && script.refuse.includes(++matched)) {
          refused++;
          waiting.push({ after: new Set(outstanding), reply: `${tag} ${script.reply}\r\n` });
          flush();
          continue;
        }
        outstanding.add(tag);
        if (script.alter && script.command.test(first.slice(space + 1))) {
          const alter = script.alter;
          command.literals = command.literals.map((chunks) => [alter(Buffer.concat(chunks))]);
        }
        upstream.write(serialise(command, (n) => `{${n}+}`));
      }
    });
    const responses = new ResponseReader();
    upstream.on('data', (chunk: Buffer) => {
      for (const response of responses.push(chunk)) {
        client.write(serialise(response, (n) => `{${n}}`));
        const first = response.lines[0] ?? '';
        if (!first.startsWith('*') && !first.startsWith('+')) outstanding.delete(first.split(' ')[0]!);
      }
      flush();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    port: listening,
    url: `imap://127.0.0.1:${listening}`,
    get refused() {
      return refused;
    },
    get matched() {
      return matched;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
