import { TrancheError } from '../errors/tranche-error.js';
import type { FolderInfo, Namespace, SpecialUse } from '../mailstore/mail-store.js';

/** A user's wishes for folder names: renames ('Old' -> 'New', children follow) and exclusions (globs). */
export interface FolderMapOptions {
  renames: [from: string, to: string][];
  excludes: string[];
}

/** One source folder and where its messages go. */
export interface FolderPair {
  source: FolderInfo;
  /** The folder's name with '/' between levels and no namespace prefix: how options name it. */
  logicalName: string;
  targetPath: string;
  /** The role that decided the target, when it was chosen by special-use. */
  role: SpecialUse | undefined;
}

/** The result of mapping: what to copy and what was left out. */
export interface FolderPlan {
  pairs: FolderPair[];
  excluded: string[];
}

const INBOX = 'INBOX';

function isInbox(name: string): boolean {
  return name.toUpperCase() === INBOX;
}

/** A server path as levels, without the namespace prefix; INBOX is always the single level 'INBOX'. */
export function toLevels(path: string, ns: Namespace): string[] {
  if (isInbox(path)) return [INBOX];
  let rest = path;
  const prefix = ns.prefix;
  if (prefix && rest.toUpperCase().startsWith(prefix.toUpperCase())) rest = rest.slice(prefix.length);
  if (!ns.delimiter) return [rest];
  const levels = rest.split(ns.delimiter);
  if (levels[0] !== undefined && isInbox(levels[0])) levels[0] = INBOX;
  return levels;
}

/** Levels as a server path: prefix added, joined by the delimiter; children of INBOX go under an 'INBOX.' prefix. */
export function fromLevels(levels: string[], ns: Namespace): string {
  if (levels.length === 1 && isInbox(levels[0]!)) return INBOX;
  const prefixIsInbox = ns.prefix.toUpperCase() === `${INBOX}${ns.delimiter}`;
  const rest = prefixIsInbox && isInbox(levels[0]!) ? levels.slice(1) : levels;
  return ns.prefix + rest.join(ns.delimiter);
}

/** Whether a folder name matches a glob: '*' any run of characters, '?' one character. */
export function matchesGlob(name: string, glob: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 'u').test(name);
}

function applyRenames(logical: string, renames: [string, string][]): { name: string; renamed: boolean } {
  for (const [from, to] of renames) {
    if (logical === from) return { name: to, renamed: true };
    if (logical.startsWith(`${from}/`)) return { name: to + logical.slice(from.length), renamed: true };
  }
  return { name: logical, renamed: false };
}

/**
 * Decides the target folder of every source folder: levels carried across delimiters and prefixes,
 * special-use roles matched (the source's \Sent lands in the target's \Sent, whatever its name),
 * then the user's renames and exclusions. Two folders landing in one, or a name the target can't
 * hold, stop the plan with a usage error that names them: nothing is merged silently.
 */
export function planFolders(
  sourceFolders: FolderInfo[],
  sourceNs: Namespace,
  targetFolders: FolderInfo[],
  targetNs: Namespace,
  options: FolderMapOptions,
): FolderPlan {
  const targetByRole = new Map<SpecialUse, string>();
  for (const folder of targetFolders) {
    if (folder.specialUse && !targetByRole.has(folder.specialUse))
      targetByRole.set(folder.specialUse, folder.path);
  }
  const rolesTaken = new Set<SpecialUse>();
  const pairs: FolderPair[] = [];
  const excluded: string[] = [];
  const problems: string[] = [];

  for (const source of sourceFolders) {
    if (source.noSelect) continue;
    const logicalName = toLevels(source.path, sourceNs).join('/');
    if (options.excludes.some((glob) => matchesGlob(logicalName, glob))) {
      excluded.push(logicalName);
      continue;
    }
    const { name, renamed } = applyRenames(logicalName, options.renames);
    const role = source.specialUse;
    if (!renamed && role && targetByRole.has(role) && !rolesTaken.has(role)) {
      rolesTaken.add(role);
      pairs.push({ source, logicalName, targetPath: targetByRole.get(role)!, role });
      continue;
    }
    const levels = name.split('/');
    const clash = targetNs.delimiter ? levels.find((level) => level.includes(targetNs.delimiter)) : undefined;
    if (clash !== undefined) {
      problems.push(
        `'${logicalName}': the level '${clash}' contains the target's delimiter '${targetNs.delimiter}'; rename it with --map`,
      );
      continue;
    }
    if (levels.some((level) => level === '')) {
      problems.push(`'${logicalName}' maps to an empty folder level ('${name}')`);
      continue;
    }
    pairs.push({ source, logicalName, targetPath: fromLevels(levels, targetNs), role: undefined });
  }

  const byTarget = new Map<string, string[]>();
  for (const pair of pairs) {
    const key = isInbox(pair.targetPath) ? INBOX : pair.targetPath;
    byTarget.set(key, [...(byTarget.get(key) ?? []), pair.logicalName]);
  }
  for (const [target, sources] of byTarget) {
    if (sources.length > 1) {
      problems.push(
        `${[...sources]
          .sort()
          .map((s) => `'${s}'`)
          .join(' and ')} would all land in '${target}'; rename with --map`,
      );
    }
  }
  if (problems.length > 0) {
    throw new TrancheError('folder-mapping', `folder mapping problems:\n  ${problems.join('\n  ')}`);
  }
  return { pairs, excluded };
}

/** Parses --map values of the form 'Old=New' (names with '/' between levels). */
export function parseRenames(values: string[]): [string, string][] {
  return values.map((value) => {
    const at = value.indexOf('=');
    const from = value.slice(0, at).trim();
    const to = value.slice(at + 1).trim();
    if (at <= 0 || !from || !to) throw new TrancheError('usage', `--map '${value}': expected 'Old=New'`);
    return [from, to];
  });
}
