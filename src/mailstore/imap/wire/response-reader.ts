/** One server response: its line text, split where literals stood, and the literals' bytes. */
export interface RawResponse {
  /** Line parts; a literal stands between parts i and i+1 (its `{n}` marker removed). */
  lines: string[];
  /** Each literal as the chunks it arrived in (never joined here). */
  literals: Buffer[][];
}

const LITERAL_MARKER = /~?\{(\d+)\+?\}$/;
const CRLF = Buffer.from('\r\n');

/**
 * Cuts a byte stream from an IMAP server into whole responses, literals included, without copying
 * literal bytes: a literal is the list of slices of the socket's chunks that hold it.
 */
export class ResponseReader {
  #pending = Buffer.alloc(0);
  #lines: string[] = [];
  #literals: Buffer[][] = [];
  #literalChunks: Buffer[] = [];
  #literalHave = 0;
  #literalNeed = 0;

  /** Bytes held for a literal still arriving. */
  get bufferedBytes(): number {
    return this.#literalHave + this.#pending.length;
  }

  /** Feeds bytes; returns the responses they complete. */
  push(chunk: Buffer): RawResponse[] {
    const out: RawResponse[] = [];
    let data = chunk;
    while (data.length > 0) {
      if (this.#literalNeed > 0) {
        const take = Math.min(this.#literalNeed - this.#literalHave, data.length);
        this.#literalChunks.push(data.subarray(0, take));
        this.#literalHave += take;
        data = data.subarray(take);
        if (this.#literalHave === this.#literalNeed) {
          this.#literals.push(this.#literalChunks);
          this.#literalChunks = [];
          this.#literalHave = 0;
          this.#literalNeed = 0;
        }
        continue;
      }
      const buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, data]) : data;
      data = Buffer.alloc(0);
      let start = 0;
      for (;;) {
        const end = buffer.indexOf(CRLF, start);
        if (end < 0) {
          this.#pending = Buffer.from(buffer.subarray(start));
          break;
        }
        const line = buffer.toString('utf8', start, end);
        start = end + 2;
        const marker = LITERAL_MARKER.exec(line);
        if (marker) {
          this.#lines.push(line.slice(0, marker.index));
          this.#literalNeed = Number(marker[1]);
          if (this.#literalNeed === 0) this.#literals.push([]);
          data = buffer.subarray(start);
          this.#pending = Buffer.alloc(0);
          break;
        }
        this.#lines.push(line);
        out.push({ lines: this.#lines, literals: this.#literals });
        this.#lines = [];
        this.#literals = [];
      }
    }
    return out;
  }
}
