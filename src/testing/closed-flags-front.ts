import { ResponseReader } from '../mailstore/imap/wire/response-reader.js';
import { listenFront, serialise } from './imap-front.js';

/** How the front changes what passes through it. */
export interface ClosedFlagsScript {
  /** Announce PERMANENTFLAGS without `\*` (no keywords of the client's own), as Exchange Online does. */
  closedFlags?: boolean;
  /** Flags taken out of every APPEND's flag lists before the server sees them (case-insensitive): what the target "drops". */
  dropOnAppend?: string[];
  /** Add APPENDLIMIT to the capabilities: `=N` when global is given, bare (per folder only) when not. */
  appendLimit?: { global?: number; perFolder?: Record<string, number | 'NIL'> };
}

/** A scripted front in front of a real IMAP server; counts what it changed. */
export interface ClosedFlagsFront {
  port: number;
  url: string;
  /** APPENDs seen, and how many flags were taken out of them. */
  readonly appends: number;
  readonly dropped: number;
  /** STATUS (APPENDLIMIT) commands answered from the script. */
  readonly limitAnswers: number;
  close(): Promise<void>;
}

/** The flag lists of an APPEND's lines with the named flags taken out; counts what it took out. */
function dropFlags(line: string, drop: Set<string>, count: (n: number) => void): string {
  return line.replace(/\(([^()]*)\)/g, (whole, inner: string) => {
    const flags = inner.split(/\s+/).filter(Boolean);
    const kept = flags.filter((f) => !drop.has(f.toLowerCase()));
    count(flags.length - kept.length);
    return kept.length === flags.length ? whole : `(${kept.join(' ')})`;
  });
}

/**
 * In front of a real IMAP server: behaves as a hosted service whose habits Dovecot cannot be made to
 * show (house style, point 11). It can announce a closed flag set, take flags out of APPENDs so the
 * server stores messages without them (Exchange Online drops \Flagged given with APPEND), and announce
 * APPENDLIMIT, answering STATUS (APPENDLIMIT) per folder (Dovecot 2.3 knows neither). Everything
 * else passes through whole. Clients must send literals non-synchronising (LITERAL+).
 */
export async function startClosedFlagsFront(
  host: string,
  port: number,
  script: ClosedFlagsScript,
): Promise<ClosedFlagsFront> {
  const drop = new Set((script.dropOnAppend ?? []).map((f) => f.toLowerCase()));
  let appends = 0;
  let dropped = 0;
  let limitAnswers = 0;
  const limit = script.appendLimit;
  const capability = limit
    ? limit.global === undefined
      ? 'APPENDLIMIT'
      : `APPENDLIMIT=${limit.global}`
    : '';
  const front = await listenFront(host, port, (client, upstream) => {
    // Folders (as the client named them) whose STATUS asked for APPENDLIMIT, answered in place of MESSAGES.
    const askedLimit: string[] = [];
    const commands = new ResponseReader();
    client.on('data', (chunk: Buffer) => {
      for (const command of commands.push(chunk)) {
        const first = command.lines[0] ?? '';
        const verb = /^\S+ (\S+)/.exec(first)?.[1]?.toUpperCase();
        if (verb === 'APPEND' && drop.size > 0) {
          appends++;
          command.lines = command.lines.map((l) => dropFlags(l, drop, (n) => (dropped += n)));
        }
        const status = /^(\S+ STATUS )("(?:[^"\\]|\\.)*"|\S+) \((.*)\)$/i.exec(first);
        if (limit && status && /\bAPPENDLIMIT\b/i.test(status[3]!)) {
          askedLimit.push(status[2]!.replace(/^"|"$/g, ''));
          const items = status[3]!.replace(/\bAPPENDLIMIT\b/i, 'MESSAGES');
          command.lines[0] = `${status[1]}${status[2]} (${[...new Set(items.split(/\s+/))].join(' ')})`;
        }
        upstream.write(serialise(command, (n) => `{${n}+}`));
      }
    });
    const responses = new ResponseReader();
    upstream.on('data', (chunk: Buffer) => {
      for (const response of responses.push(chunk)) {
        let line = response.lines[0] ?? '';
        if (script.closedFlags) line = line.replace(/(\[PERMANENTFLAGS \([^)]*?)\s*\\\*\)/i, '$1)');
        if (capability) {
          line = line
            .replace(/^(\* CAPABILITY .*)$/i, `$1 ${capability}`)
            .replace(/(\[CAPABILITY [^\]]*)\]/i, `$1 ${capability}]`);
        }
        const status = /^\* STATUS ("(?:[^"\\]|\\.)*"|\S+) \((.*)\)$/i.exec(line);
        const folder = status?.[1]!.replace(/^"|"$/g, '');
        const asked = folder === undefined ? -1 : askedLimit.indexOf(folder);
        if (status && asked >= 0) {
          askedLimit.splice(asked, 1);
          limitAnswers++;
          const value = limit?.perFolder?.[folder!] ?? limit?.global ?? 'NIL';
          line = line.replace(/MESSAGES \d+/i, `APPENDLIMIT ${value}`);
        }
        response.lines[0] = line;
        client.write(serialise(response, (n) => `{${n}}`));
      }
    });
  });
  return {
    port: front.port,
    url: front.url,
    get appends() {
      return appends;
    },
    get dropped() {
      return dropped;
    },
    get limitAnswers() {
      return limitAnswers;
    },
    close: () => front.close(),
  };
}
