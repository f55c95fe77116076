import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';
import { TrancheError } from '../../errors/tranche-error.js';
import type { NoticesConfig } from '../../programme/config/config.js';
import { NOTICE_KINDS, type NoticeKind, type NoticeVariables } from '../notice-kind.js';
import { checkTemplate } from './check-template.js';
import { DEFAULT_TEMPLATES } from './default-templates.js';
import { TEMPLATE_PARTS, type NoticeTemplate, type TemplatePart } from './notice-template.js';
import type { RenderedNotice } from './rendered-notice.js';

/** Overrides found in one folder: a whole template per kind overridden. */
type Overrides = Partial<Record<NoticeKind, NoticeTemplate>>;

/** A folder's name that can be an organisation code (as `tranche import orgs` accepts them). */
const ORGANISATION_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Text and subject parts show values as they are; only HTML escapes them. */
const asIs = (value: unknown): string => String(value);

/** The templates in effect: per-organisation overrides, then the programme's, then the built-in ones. */
export class NoticeTemplates {
  /**
   * @param directory the templates directory, or undefined when only the built-in ones are used
   * @param programme the programme's overrides
   * @param organisations each organisation's overrides, by organisation code
   */
  constructor(
    readonly directory: string | undefined,
    private readonly programme: Overrides,
    private readonly byOrganisation: ReadonlyMap<string, Overrides>,
  ) {}

  /** KIND's notice for VARIABLES, with ORGANISATIONCODE's override when it has one. Never throws. */
  render(kind: NoticeKind, variables: NoticeVariables, organisationCode?: string): RenderedNotice {
    const template = this.template(kind, organisationCode);
    return {
      // One line: a subject file ends with a newline, and a header must not hold one.
      subject: Mustache.render(template.subject, variables, {}, { escape: asIs })
        .replace(/\s*[\r\n]+\s*/g, ' ')
        .trim(),
      text: Mustache.render(template.text, variables, {}, { escape: asIs }),
      html: Mustache.render(template.html, variables, {}),
    };
  }

  /** The template source KIND renders from for ORGANISATIONCODE (or the programme). */
  template(kind: NoticeKind, organisationCode?: string): NoticeTemplate {
    return this.origin(kind, organisationCode).template;
  }

  /** Where KIND's template for ORGANISATIONCODE comes from: 'built-in' or the folder of its files. */
  source(kind: NoticeKind, organisationCode?: string): string {
    return this.origin(kind, organisationCode).from;
  }

  /** The organisation codes that have overrides of their own, sorted. */
  organisations(): string[] {
    return [...this.byOrganisation.keys()].sort();
  }

  private origin(kind: NoticeKind, code: string | undefined): { template: NoticeTemplate; from: string } {
    const own = code === undefined ? undefined : this.byOrganisation.get(code)?.[kind];
    if (own) return { template: own, from: join(this.directory!, code!) };
    const programme = this.programme[kind];
    if (programme) return { template: programme, from: this.directory! };
    return { template: DEFAULT_TEMPLATES[kind], from: 'built-in' };
  }
}

const EXTENSIONS: readonly string[] = TEMPLATE_PARTS.map(([, ext]) => ext);
const NAMING = `names are KIND.subject, KIND.txt and KIND.html, KIND one of ${NOTICE_KINDS.join(', ')}`;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readTemplateFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TrancheError('usage', `cannot read template ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new TrancheError('usage', `template ${file} is empty`);
  return text;
}

/**
 * Reads the override files of one folder: each must be KIND.subject|txt|html, and a kind given must
 * have all three. Folders inside it are returned (organisation folders) when SUBFOLDERS is true, an
 * error otherwise. Names starting with '.' are ignored (.git, editors' files).
 */
function readFolder(dir: string, subfolders: boolean): { overrides: Overrides; folders: string[] } {
  const found = new Map<NoticeKind, Set<string>>();
  const folders: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (isDirectory(path)) {
      if (!subfolders)
        throw new TrancheError(
          'usage',
          `unexpected folder ${path}: an organisation's folder holds template files only`,
        );
      if (!ORGANISATION_CODE.test(name))
        throw new TrancheError(
          'usage',
          `unexpected folder ${path}: a folder in the templates directory is named after an organisation code`,
        );
      folders.push(name);
      continue;
    }
    const dot = name.lastIndexOf('.');
    const kind = name.slice(0, Math.max(0, dot)) as NoticeKind;
    const ext = dot < 0 ? '' : name.slice(dot + 1);
    if (!EXTENSIONS.includes(ext))
      throw new TrancheError('usage', `unknown template file ${path}: extension not known (${NAMING})`);
    if (!NOTICE_KINDS.includes(kind))
      throw new TrancheError('usage', `unknown template file ${path}: no notice kind '${kind}' (${NAMING})`);
    found.set(kind, (found.get(kind) ?? new Set()).add(ext));
  }
  const overrides: Overrides = {};
  for (const kind of NOTICE_KINDS) {
    const exts = found.get(kind);
    if (!exts) continue;
    const missing = EXTENSIONS.find((ext) => !exts.has(ext));
    if (missing)
      throw new TrancheError(
        'usage',
        `missing template: ${join(dir, `${kind}.${missing}`)} (a kind overridden needs all three: ${kind}.subject, ${kind}.txt, ${kind}.html)`,
      );
    const read = (part: TemplatePart, ext: string): string => {
      const file = join(dir, `${kind}.${ext}`);
      const source = readTemplateFile(file);
      checkTemplate(kind, part, source, file);
      return source;
    };
    overrides[kind] = {
      subject: read('subject', 'subject'),
      text: read('text', 'txt'),
      html: read('html', 'html'),
    };
  }
  return { overrides, folders };
}

/**
 * The programme's templates: the built-in ones, overridden by NOTICES.templatesDir's files (docs/notices.md).
 * Everything is read and checked now, so a bad template stops the programme before any notice goes;
 * organisation folders are checked against the state store by checkTemplateOrganisations.
 */
export function loadNoticeTemplates(notices: NoticesConfig): NoticeTemplates {
  const dir = notices.templatesDir;
  if (dir === undefined) return new NoticeTemplates(undefined, {}, new Map());
  if (!isDirectory(dir))
    throw new TrancheError(
      'usage',
      `notices.templatesDir ${dir} is not a directory: create it, or remove templatesDir to use the built-in templates`,
    );
  const top = readFolder(dir, true);
  const byOrganisation = new Map<string, Overrides>();
  for (const code of top.folders) {
    const { overrides } = readFolder(join(dir, code), false);
    if (Object.keys(overrides).length > 0) byOrganisation.set(code, overrides);
  }
  return new NoticeTemplates(dir, top.overrides, byOrganisation);
}
