import { Command } from 'commander';
import { parseRenames } from '../copy/folder-map.js';
import { verifyMailbox, type VerifyReport } from '../copy/verify.js';
import { addEndpointOptions, endpointFromFlags, openSide, type EndpointFlags } from './endpoint-options.js';
import { profileAdjustments } from './oauth-options.js';
import { EXIT } from './exit-codes.js';
import { formatSeconds } from './format.js';
import { addFolderOptions } from './sync-command.js';

interface VerifyFlags extends EndpointFlags {
  map: string[];
  exclude: string[];
  deep?: boolean;
  json?: boolean;
}

/** The text printed by verify: one line per folder that differs, then a verdict. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const folder of report.folders) {
    if (folder.differences.length === 0) continue;
    lines.push(`${folder.source} -> ${folder.target}:`);
    for (const d of folder.differences.slice(0, 20)) lines.push(`  ${d}`);
    if (folder.differences.length > 20) lines.push(`  … and ${folder.differences.length - 20} more`);
  }
  const messages = report.folders.reduce((n, f) => n + f.sourceMessages, 0);
  const differing = report.folders.filter((f) => f.differences.length > 0).length;
  lines.push(
    `tranche verify${report.deep ? ' --deep' : ''}: ${report.identical ? 'identical' : `${differing} folder(s) differ`} (${report.folders.length} folders, ${messages} source messages, ${formatSeconds(report.durationMs)})`,
  );
  return lines.join('\n');
}

/** `tranche verify`: compare source and target. */
export function verifyCommand(): Command {
  const command = new Command('verify')
    .description('compare source and target folder by folder (counts; with --deep every message)')
    .option('--deep', 'compare the SHA-256 of every message, its flags and internal date')
    .option('--json', 'print the report as JSON on stdout');
  addEndpointOptions(command);
  addFolderOptions(command);
  command.action(async (flags: VerifyFlags) => {
    const source = endpointFromFlags(flags, 'source');
    const target = endpointFromFlags(flags, 'target');
    const report = await verifyMailbox(
      () => openSide(source, 'source'),
      () => openSide(target, 'target'),
      {
        renames: parseRenames(flags.map),
        excludes: [...flags.exclude, ...profileAdjustments(flags, 1).excludes],
      },
      flags.deep ?? false,
    );
    process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report)}\n`);
    process.exitCode = report.identical ? EXIT.ok : EXIT.partial;
  });
  return command;
}
