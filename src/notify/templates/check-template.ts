import Mustache from 'mustache';
import { TrancheError } from '../../errors/tranche-error.js';
import { VARIABLES_BY_KIND, type DigestEntry, type NoticeKind } from '../notice-kind.js';
import type { TemplatePart } from './notice-template.js';

/** The variables that hold lists (a digest's), and the fields of each of their entries. */
const LISTS = ['moved', 'failed', 'upcoming'];
const ENTRY_FIELDS = ['address', 'name', 'day', 'reason'] satisfies (keyof DigestEntry)[];

/** A parsed Mustache token: type, value, start, end, then a section's inner tokens. */
type Token = [type: string, value: string, start: number, end: number, inner?: Token[]];

/** The names a template of KIND may use: at its top level, and inside a list's section. */
function scopes(kind: NoticeKind): { top: Set<string>; inList: Set<string> } {
  const allowed = VARIABLES_BY_KIND[kind];
  const lists = allowed.filter((name) => LISTS.includes(name));
  if (lists.length === 0) return { top: new Set(allowed), inList: new Set(allowed) };
  // An entry's fields mean nothing outside {{#moved}}…{{/moved}}: there they would render empty.
  const top = allowed.filter((name) => !(ENTRY_FIELDS as string[]).includes(name));
  const counts = lists.map((name) => `${name}.length`);
  return { top: new Set([...top, ...counts]), inList: new Set([...allowed, ...counts]) };
}

/** The 1-based line of character POSITION in SOURCE. */
const lineOf = (source: string, position: number): number =>
  source.slice(0, Math.max(0, position)).split('\n').length;

function allowedWords(kind: NoticeKind): string {
  const { top } = scopes(kind);
  const lists = VARIABLES_BY_KIND[kind].filter((name) => LISTS.includes(name));
  const inside = lists.length
    ? `; inside ${lists.map((l) => `{{#${l}}}`).join(', ')} also: ${ENTRY_FIELDS.join(', ')}`
    : '';
  return `${kind} templates may use: ${[...top].join(', ')}${inside}`;
}

function parse(source: string, file: string): Token[] {
  try {
    return Mustache.parse(source) as unknown as Token[];
  } catch (error) {
    // Mustache's words end with the character position: "Unclosed section "moved" at 120".
    const message = (error as Error).message;
    const at = /at (\d+)$/.exec(message);
    const where = at ? ` (line ${lineOf(source, Number(at[1]))})` : '';
    throw new TrancheError('usage', `template syntax error in ${file}${where}: ${message}`, { cause: error });
  }
}

/**
 * Checks one part of a template of KIND read from FILE: valid Mustache, no partials, only the
 * variables the kind has, no unescaped variable in HTML. Throws a usage error naming the file.
 */
export function checkTemplate(kind: NoticeKind, part: TemplatePart, source: string, file: string): void {
  const { top, inList } = scopes(kind);
  const walk = (tokens: Token[], allowed: Set<string>): void => {
    for (const [type, value, start, end, inner] of tokens) {
      if (type === 'text' || type === '!' || type === '=') continue;
      // The tag as written, e.g. {{#moved}} or {{{name}}}, and where.
      const tag = source.slice(start, end);
      const where = `${file} (line ${lineOf(source, start)})`;
      if (type === '>') throw new TrancheError('usage', `partials such as ${tag} are not allowed: ${where}`);
      if (!allowed.has(value)) {
        const onlyInList = inList.has(value) && !top.has(value);
        throw new TrancheError(
          'usage',
          onlyInList
            ? `${tag} outside a list in ${where}: it is only known inside ${LISTS.map((l) => `{{#${l}}}`).join(', ')}`
            : `unknown variable ${tag} in ${where}; ${allowedWords(kind)}`,
        );
      }
      if (type === '&' && part === 'html')
        throw new TrancheError(
          'usage',
          `unescaped variable ${tag} in ${where}: an HTML part must escape what it shows, write {{${value}}}`,
        );
      if (inner) walk(inner, LISTS.includes(value) ? inList : allowed);
    }
  };
  walk(parse(source, file), top);
}
