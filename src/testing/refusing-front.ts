import { listenFront, serialise } from './imap-front.js';
import { ResponseReader } from '../mailstore/imap/wire/response-reader.js';

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
  let matched = 0;
  let refused = 0;
  const front = await listenFront(host, port, (client, upstream) => {
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
  return {
    port: front.port,
    url: front.url,
    get refused() {
      return refused;
    },
    get matched() {
      return matched;
    },
    close: () => front.close(),
  };
}
