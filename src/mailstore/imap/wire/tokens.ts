import type { RawResponse } from './response-reader.js';

/** A quoted string, kept apart from atoms so that "NIL" is not NIL. */
export class QuotedString {
  constructor(readonly value: string) {}
}

/** A literal's bytes, as the chunks they arrived in. */
export class Literal {
  constructor(readonly chunks: Buffer[]) {}
}

/** A parsed element of a response: an atom (numbers and flags too), a quoted string, a literal, NIL, or a list. */
export type Token = string | QuotedString | Literal | null | Token[];

const SPACE = 0x20;
const OPEN = 0x28;
const CLOSE = 0x29;
const QUOTE = 0x22;
const OPEN_BRACKET = 0x5b;

/**
 * Tokenizes a response's data: atoms become strings, quoted strings QuotedString, literals Buffers,
 * NIL null, parenthesised lists arrays. Brackets stay inside atoms (BODY[], [UIDVALIDITY).
 * Every response a copy reads passes here (three per message: listing, body, check), so it scans
 * by char code and slices, without a string per character.
 */
export function tokenize(response: RawResponse): Token[] {
  const root: Token[] = [];
  const parents: Token[][] = [];
  let top = root;
  const { lines, literals } = response;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    let i = 0;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === SPACE) {
        i++;
      } else if (c === OPEN) {
        const list: Token[] = [];
        top.push(list);
        parents.push(top);
        top = list;
        i++;
      } else if (c === CLOSE) {
        top = parents.pop() ?? top;
        i++;
      } else if (c === QUOTE) {
        i = quoted(line, i + 1, top);
      } else {
        i = atom(line, i, top);
      }
    }
    const literal = literals[index];
    if (literal !== undefined) top.push(new Literal(literal));
  }
  return root;
}

/** Reads a quoted string starting after its opening quote into `into`; returns where to go on. */
function quoted(line: string, start: number, into: Token[]): number {
  const end = line.indexOf('"', start);
  const escape = line.indexOf('\\', start);
  if (escape < 0 || (end >= 0 && escape > end)) {
    // No backslash inside: the string is what stands between the quotes (or to the line's end).
    const stop = end < 0 ? line.length : end;
    into.push(new QuotedString(line.slice(start, stop)));
    return stop + 1;
  }
  let value = '';
  let i = start;
  while (i < line.length && line[i] !== '"') {
    if (line[i] === '\\' && i + 1 < line.length) i++;
    value += line[i];
    i++;
  }
  into.push(new QuotedString(value));
  return i + 1;
}

/** Reads an atom (brackets keep their content in it) into `into`, NIL as null; returns its end. */
function atom(line: string, start: number, into: Token[]): number {
  let j = start;
  // Brackets keep their content in one atom: BODY[HEADER.FIELDS (A B)] never appears in what we ask for.
  while (j < line.length) {
    const c = line.charCodeAt(j);
    if (c === SPACE || c === OPEN || c === CLOSE) break;
    if (c === OPEN_BRACKET) {
      const close = line.indexOf(']', j);
      j = close < 0 ? line.length : close + 1;
    } else j++;
  }
  const value = line.slice(start, j);
  into.push(value.length === 3 && value.toUpperCase() === 'NIL' ? null : value);
  return j;
}

/** A token as text: atoms, quoted strings and literals alike; undefined for NIL or lists. */
export function text(token: Token | undefined): string | undefined {
  if (token instanceof QuotedString) return token.value;
  if (typeof token === 'string') return token;
  if (token instanceof Literal) return Buffer.concat(token.chunks).toString('utf8');
  return undefined;
}
