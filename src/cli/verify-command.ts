import { Command } from 'commander';
import { parseRenames } from '../copy/folder-map.js';
import { verifyMailbox, type VerifyReport } from '../copy/verify.js';
import { keepsFlag } from '../copy/target-rules.js';
import { addEndpointOptions, endpointFromFlags, openSide, type EndpointFlags } from './endpoint-options.js';
import { profileAdjustments } from './oauth-options.js';
import { EXIT } from './exit-codes.js';
import { formatSeconds } from './format.js';
import { addFolderOptions } from './sync-command.js';
import { addDavOptions, kindsToMove, type DavFlags } from './dav-options.js';
import { formatDavVerifyReport, runDavVerify } from './dav-sync-run.js';

interface VerifyFlags extends EndpointFlags, DavFlags {
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
  addDavOptions(command);
  addFolderOptions(command);
  command.action(async (flags: VerifyFlags) => {
    const kinds = kindsToMove(flags);
    const source = kinds.has('mail') ? await endpointFromFlags(flags, 'source') : undefined;
    const target = kinds.has('mail') ? await endpointFromFlags(flags, 'target') : undefined;
    const report =
      source && target
        ? await verifyMailbox(
            () => openSide(source, 'source'),
            () => openSide(target, 'target'),
            {
              renames: parseRenames(flags.map),
              excludes: [...flags.exclude, ...profileAdjustments(flags, 1).excludes],
            },
            flags.deep ?? false,
            [],
            // A closed flag set (--target-profile exchange-online): keywords it does not keep are not compared.
            keepsFlag(profileAdjustments(flags, 1).target),
          )
        : undefined;
    const dav =
      kinds.has('calendars') || kinds.has('contacts') ? await runDavVerify(flags, kinds) : undefined;
    const json = report && dav ? { ...report, dav } : (report ?? dav);
    const text = [report ? formatVerifyReport(report) : '', dav ? formatDavVerifyReport(dav) : '']
      .filter((t) => t)
      .join('\n');
    process.stdout.write(`${flags.json ? JSON.stringify(json, null, 2) : text}\n`);
    process.exitCode = (report?.identical ?? true) && (dav?.identical ?? true) ? EXIT.ok : EXIT.partial;
  });
  return command;
}
