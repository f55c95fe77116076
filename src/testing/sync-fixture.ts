// Test fixture: runs tranche's copy engine and CLI against harness servers.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { DEFAULT_FOLDER_SYNC, syncMailbox } from '../copy/sync-mailbox.js';
import type { FolderSyncOptions } from '../copy/sync-folder.js';
import type { SyncReport } from '../copy/sync-report.js';
import type { TargetRules } from '../copy/target-rules.js';
import { silentLogger } from '../log/logger.js';
import type { ImapEndpoint } from '../mailstore/imap/endpoint.js';
import { WireStore } from '../mailstore/imap/wire-store.js';
import { SyncCheckpoints } from '../state/sync-checkpoints.js';
import { openSqlite } from '../state/sqlite/open-sqlite.js';
import type { DovecotServer, DovecotUser } from './dovecot.js';

/** The endpoint of a harness user, plaintext allowed (loopback). */
export function endpointOf(
  server: { port: number },
  user: DovecotUser,
  extra: Partial<ImapEndpoint> = {},
): ImapEndpoint {
  return {
    host: '127.0.0.1',
    port: server.port,
    tls: 'starttls',
    user: user.user,
    password: user.password,
    admin: undefined,
    loginTemplate: undefined,
    insecure: false,
    allowPlaintext: true,
    ...extra,
  };
}

/** A '/'-delimited source folder path as the '.'-delimited, 'INBOX.'-prefixed (Cyrus-style) target names it. */
export function toCyrus(path: string): string {
  return path === 'INBOX' ? 'INBOX' : `INBOX.${path.split('/').join('.')}`;
}

/** A fresh state file path in a temp dir. */
export function tempStatePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tranche-state-')), 'state.sqlite');
}

/** Runs the copy engine once, as `tranche sync` would. */
export async function runSync(
  source: ImapEndpoint,
  target: ImapEndpoint,
  statePath: string,
  options: Partial<FolderSyncOptions> & {
    renames?: [string, string][];
    excludes?: string[];
    connections?: number;
    target?: TargetRules;
  } = {},
): Promise<SyncReport> {
  const db = await openSqlite(statePath);
  try {
    return await syncMailbox({
      mailboxKey: `${source.port}/${source.user} -> ${target.port}/${target.user}`,
      openSource: () => WireStore.connect(source),
      openTarget: () => WireStore.connect(target),
      checkpoints: new SyncCheckpoints(db),
      folders: { renames: options.renames ?? [], excludes: options.excludes ?? [] },
      options: { ...DEFAULT_FOLDER_SYNC, ...options },
      logger: silentLogger(),
      reconnect: { baseMs: 50, maxMs: 200, attempts: 6 },
      connections: options.connections,
      target: options.target,
    });
  } finally {
    await db.destroy();
  }
}

/** An imapflow client logged in as a harness user, for changing mail behind tranche's back. */
export async function rawClient(server: DovecotServer, user: DovecotUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.user, pass: user.password },
    logger: false,
  });
  await client.connect();
  return client;
}

/** The output of a CLI run. */
export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const BIN = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));

/** Runs `tranche ARGS` as a child process; `onSpawn` may kill it (SIGKILL). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  onSpawn?: (kill: () => void) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TRANCHE_SOURCE_PASSWORD: '', TRANCHE_TARGET_PASSWORD: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

/** The sync/verify flags for two harness users. */
export function cliArgs(
  source: DovecotServer,
  sourceUser: DovecotUser,
  target: DovecotServer,
  targetUser: DovecotUser,
): string[] {
  return [
    '--source',
    source.url,
    '--source-user',
    sourceUser.user,
    '--target',
    target.url,
    '--target-user',
    targetUser.user,
    '--allow-plaintext',
  ];
}
