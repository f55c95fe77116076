import { Command } from 'commander';
import { DEFAULT_CONNECTIONS, DEFAULT_FOLDER_SYNC, syncMailbox } from '../copy/sync-mailbox.js';
import { isFolderItem, type SkippedItem, type SyncReport } from '../copy/sync-report.js';
import { parseRenames } from '../copy/folder-map.js';
import { createLogger } from '../log/logger.js';
import { SyncCheckpoints } from '../state/sync-checkpoints.js';
import { openStateStore } from '../state/open-state-store.js';
import {
  addEndpointOptions,
  endpointFromFlags,
  openSide,
  mailboxKey,
  type EndpointFlags,
} from './endpoint-options.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { profileAdjustments } from './oauth-options.js';
import { formatBytes, formatCount, formatSeconds } from './format.js';
import { wholeNumber } from './number-options.js';
import { ProgressLine } from './progress.js';
import { defaultStatePath } from './state-path.js';
import { TrancheError } from '../errors/tranche-error.js';
import { addDavOptions, kindsToMove, type DavFlags } from './dav-options.js';
import type { DavSyncReport } from '../copy/dav/dav-sync-report.js';

interface SyncFlags extends EndpointFlags, DavFlags {
  state?: string;
  map: string[];
  exclude: string[];
  propagateDeletes?: boolean;
  batchMessages: string;
  connections: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the folder flags shared by sync and verify. */
export function addFolderOptions(command: Command): Command {
  return command
    .option(
      '--map <Old=New>',
      "put source folder Old (and its children) in New; '/' between levels; repeatable",
      collect,
      [],
    )
    .option(
      '--exclude <pattern>',
      "leave out source folders matching a glob ('*', '?'); repeatable",
      collect,
      [],
    );
}

/** One skipped (or altered) item on a line: its folder, the message when it is one, its kind and reason. */
export function describeItem(item: SkippedItem): string {
  const what =
    isFolderItem(item) || item.uid === 0
      ? `${item.folder} (folder)`
      : `${item.folder} UID ${item.uid} (${formatBytes(item.size)})`;
  return `${what} ${item.kind}: ${item.reason}`;
}

/** The text summary printed at the end of a sync. */
export function formatSyncReport(report: SyncReport): string {
  const rate = report.messagesCopied / Math.max(0.001, report.durationMs / 1000);
  const lines = [
    `tranche sync: ${report.status === 'done-with-skipped' ? `done with ${report.skipped.length} skipped item${report.skipped.length === 1 ? '' : 's'}` : report.status} in ${formatSeconds(report.durationMs)}`,
    `  folders:  ${report.folders.length}${report.excludedFolders.length ? ` (${report.excludedFolders.length} excluded)` : ''}`,
    `  messages: ${formatCount(report.messagesCopied)} copied (${formatBytes(report.bytesCopied)}, ${rate.toFixed(0)} msg/s), ${formatCount(report.messagesMatched)} found already on target, ${formatCount(report.flagsUpdated)} flag updates${report.flagsRestored ? ` (and ${formatCount(report.flagsRestored)} messages whose flags the target dropped from APPEND, set again)` : ''}, ${formatCount(report.deleted)} deleted`,
  ];
  if (report.skipped.length > 0) {
    lines.push(`  skipped:  ${report.skipped.length}`);
    for (const item of report.skipped) lines.push(`    ${describeItem(item)}`);
  }
  if (report.altered.length > 0) {
    lines.push(`  altered:  ${report.altered.length} (copied, but stored changed by the target)`);
    for (const item of report.altered) lines.push(`    ${describeItem(item)}`);
  }
  if (report.failedFolders.length > 0) {
    lines.push(
      `  failed:   ${report.failedFolders.length} folder${report.failedFolders.length === 1 ? '' : 's'}`,
    );
    for (const f of report.failedFolders) lines.push(`    ${f.folder}: ${f.type}: ${f.message}`);
  }
  if (report.error) lines.push(`  error:    ${report.error.message}`);
  return lines.join('\n');
}

/** `tranche sync`: one mailbox, source to target. */
export function syncCommand(): Command {
  const command = new Command('sync')
    .description('copy one mailbox from a source IMAP server to a target, byte-exact and resumable')
    .option(
      '--state <file>',
      'state store for checkpoints: a SQLite file (default: ~/.tranche/state.sqlite) or a postgres:// URL',
    )
    .option(
      '--propagate-deletes',
      'remove from the target what was removed from the source since it was copied',
    )
    .option(
      '--batch-messages <n>',
      'messages per checkpointed APPEND batch',
      String(DEFAULT_FOLDER_SYNC.batchMessages),
    )
    .option(
      '--connections <n>',
      "connections to each server: folders synced at once (mind the servers' per-user limits)",
      String(DEFAULT_CONNECTIONS),
    )
    .option('--json', 'print the report as JSON on stdout (no progress display)');
  addEndpointOptions(command);
  addDavOptions(command);
  addFolderOptions(command);
  command.action(async (flags: SyncFlags) => {
    const kinds = kindsToMove(flags);
    const mail = kinds.has('mail');
    // Calendars and contacts (ical.js, an XML parser) are loaded only when asked for: a mail-only
    // sync's whole process stays small (docs/ARCHITECTURE.md, the delta pass).
    const davRun =
      kinds.has('calendars') || kinds.has('contacts') ? await import('./dav-sync-run.js') : undefined;
    const source = mail ? await endpointFromFlags(flags, 'source') : undefined;
    const target = mail ? await endpointFromFlags(flags, 'target') : undefined;
    const renames = parseRenames(flags.map);
    const batchMessages = wholeNumber(flags.batchMessages, '--batch-messages');
    const profiled = profileAdjustments(flags, wholeNumber(flags.connections, '--connections'));
    const connections = profiled.connections;
    const db = await openStateStore(flags.state ?? defaultStatePath());
    const progress = new ProgressLine(!flags.json);
    const controller = new AbortController();
    const stop = (): void =>
      controller.abort(new TrancheError('connection-lost', 'interrupted', { retryable: false }));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let report: SyncReport | undefined;
    let dav: DavSyncReport | undefined;
    try {
      if (source && target)
        report = await syncMailbox({
          mailboxKey: mailboxKey(source, target),
          openSource: () => openSide(source, 'source'),
          openTarget: () => openSide(target, 'target'),
          checkpoints: new SyncCheckpoints(db),
          folders: { renames, excludes: [...flags.exclude, ...profiled.excludes] },
          options: {
            ...DEFAULT_FOLDER_SYNC,
            batchMessages,
            propagateDeletes: flags.propagateDeletes ?? false,
          },
          logger: createLogger(),
          onProgress: (event) => progress.update(event),
          signal: controller.signal,
          connections,
          target: profiled.target,
        });
      if (davRun) {
        dav = await davRun.runDavSync(flags, kinds, db, createLogger(), 2 * connections, controller.signal);
      }
    } finally {
      progress.done();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await db.destroy();
    }
    const json = report && dav ? { ...report, dav } : (report ?? dav);
    const text = [
      report ? formatSyncReport(report) : '',
      dav && davRun ? davRun.formatDavSyncReport(dav) : '',
    ]
      .filter((t) => t)
      .join('\n');
    process.stdout.write(`${flags.json ? JSON.stringify(json, null, 2) : text}\n`);
    const mailExit = !report
      ? EXIT.ok
      : report.status === 'done'
        ? EXIT.ok
        : report.status === 'done-with-skipped'
          ? EXIT.partial
          : exitCodeFor(report.error?.type as never);
    process.exitCode = dav && davRun ? davRun.worseExit(mailExit, davRun.davExitCode(dav)) : mailExit;
  });
  return command;
}
