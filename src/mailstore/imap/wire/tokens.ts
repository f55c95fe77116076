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

/**
 * Tokenizes a response's data: atoms become strings, quoted strings QuotedString, literals Buffers,
 * NIL null, parenthesised lists arrays. Brackets stay inside atoms (BODY[], [UIDVALIDITY).
 */
export function tokenize(response: RawResponse): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  const top = (): Token[] => stack[stack.length - 1]!;
  response.lines.forEach((line, index) => {
    let i = 0;
    while (i < line.length) {
      const c = line[i]!;
      if (c === ' ') {
        i++;
      } else if (c === '(') {
        const list: Token[] = [];
        top().push(list);
        stack.push(list);
        i++;
      } else if (c === ')') {
        if (stack.length > 1) stack.pop();
        i++;
      } else if (c === '"') {
        let value = '';
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          value += line[i];
          i++;
        }
        i++;
        top().push(new QuotedString(value));
      } else {
        let j = i;
        // Brackets keep their content in one atom: BODY[HEADER.FIELDS (A B)] never appears in what we ask for.
        while (j < line.length && line[j] !== ' ' && line[j] !== '(' && line[j] !== ')') {
          if (line[j] === '[') {
            const close = line.indexOf(']', j);
            j = close < 0 ? line.length : close + 1;
          } else j++;
        }
        const atom = line.slice(i, j);
        top().push(atom.toUpperCase() === 'NIL' ? null : atom);
        i = j;
      }
    }
    const literal = response.literals[index];
    if (literal !== undefined) top().push(new Literal(literal));
  });
  return root;
}

/** A token as text: atoms, quoted strings and literals alike; undefined for NIL or lists. */
export function text(token: Token | undefined): string | undefined {
  if (token instanceof QuotedString) return token.value;
  if (typeof token === 'string') return token;
  if (token instanceof Literal) return Buffer.concat(token.chunks).toString('utf8');
  return undefined;
}
