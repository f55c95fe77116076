// Fails when an import runs back up a layer (docs/ARCHITECTURE.md, "Layers"): every relative import in
// src/ (tests and the test harness aside) must point into its own part or a part below it. Run by
// `npm run lint`. Usage: node scripts/check-layers.mjs [--list]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The parts of src/, bottom first; a part may import only from itself and from the rows above it. */
const LAYERS = [
  ['environment'],
  ['errors', 'log'],
  ['csv'],
  ['credentials'],
  ['mailstore', 'davstore'],
  ['copy'],
  ['state'],
  ['limits'],
  ['programme'],
  ['notify', 'soak'],
  ['runner'],
  ['report'],
  ['serve'],
  ['cli'],
];

/** Inside src/programme/: its roles, bottom first (the same rule, one level down). */
const PROGRAMME_LAYERS = [
  ['calendar'],
  ['config'],
  ['lifecycle'],
  ['endpoints'],
  ['import', 'discover'],
  ['plan'],
  ['operations'],
];

const rankOf = (table, name) => table.findIndex((row) => row.includes(name));

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(p);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** [part, role] of a path under src/ (role: the sub-folder inside programme/). */
function placeOf(file) {
  const parts = path.relative('src', file).split(path.sep);
  return [parts[0], parts[0] === 'programme' ? parts[1] : undefined];
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

const problems = [];
const arrows = new Map();
for (const file of sourceFiles('src')) {
  const [part, role] = placeOf(file);
  if (part === 'testing') continue; // the test harness may use anything; nothing may use it (below)
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    const target = path.join(path.dirname(file), spec);
    const [toPart, toRole] = placeOf(target);
    const line = text.slice(0, match.index).split('\n').length + (match[0].startsWith('\n') ? 1 : 0);
    const where = `${file}:${line} imports ${spec}`;
    if (toPart === 'testing') {
      problems.push(`${where}: production code must not use the test harness (src/testing/)`);
      continue;
    }
    if (toPart !== part) arrows.set(`${part} -> ${toPart}`, (arrows.get(`${part} -> ${toPart}`) ?? 0) + 1);
    const from = rankOf(LAYERS, part);
    const to = rankOf(LAYERS, toPart);
    if (from < 0 || to < 0) {
      problems.push(
        `${where}: src/${from < 0 ? part : toPart}/ is not in the layer table of scripts/check-layers.mjs`,
      );
    } else if (part !== toPart && to >= from) {
      problems.push(
        `${where}: ${part} may not import ${toPart} (${to > from ? 'a layer above it' : 'a part beside it'})`,
      );
    } else if (
      part === 'programme' &&
      toPart === 'programme' &&
      role !== toRole &&
      role?.endsWith('.ts') !== true
    ) {
      const a = rankOf(PROGRAMME_LAYERS, role);
      const b = rankOf(PROGRAMME_LAYERS, toRole);
      if (a < 0 || b < 0)
        problems.push(`${where}: programme/${a < 0 ? role : toRole}/ is not in PROGRAMME_LAYERS`);
      else if (b >= a) problems.push(`${where}: programme/${role} may not import programme/${toRole}`);
    }
  }
}

if (process.argv.includes('--list'))
  for (const [arrow, n] of [...arrows].sort()) console.log(`${arrow} (${n})`);
if (problems.length > 0) {
  console.error(
    `Imports that run against the layers (docs/ARCHITECTURE.md, "Layers"):\n${problems.join('\n')}`,
  );
  process.exit(1);
}
console.log(`layers: ${arrows.size} part-to-part arrows, all downward`);
