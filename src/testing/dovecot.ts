// Test harness: starts Debian's Dovecot (2.3) as a throwaway instance with its own base_dir,
// state_dir, configuration, users and mail under one temporary directory, on a free loopback port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import {
  access,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeCertificate } from './self-signed-cert.js';
import { freeLoopbackPort } from './dav-process.js';

/** Options of a test Dovecot instance. */
export interface DovecotOptions {
  /** Hierarchy delimiter of the personal namespace: '/' (default) or '.'. */
  delimiter?: '/' | '.';
  /** Personal namespace prefix, e.g. 'INBOX.' (Cyrus/Courier style); default ''. */
  prefix?: string;
  /** Special-use folder names auto-created for every user, e.g. { Sent: '\\Sent', Trash: '\\Trash', Drafts: '\\Drafts', Junk: '\\Junk', Archive: '\\Archive' } (the default). */
  specialUse?: Record<string, string>;
  /** Largest message the server accepts on APPEND, in bytes (undefined: no limit). */
  maxMessageSize?: number;
  /**
   * Announce APPENDLIMIT=N (RFC 7889) among the capabilities. Dovecot 2.3.19 knows no APPENDLIMIT of
   * its own (nor STATUS APPENDLIMIT: it answers BAD); it does not enforce this figure either.
   */
  appendLimit?: number;
  /** Whether CONDSTORE/QRESYNC are offered (default true). */
  condstore?: boolean;
  /**
   * Which literals the capabilities offer: 'plus' (LITERAL+, the default), 'minus' (LITERAL-, as
   * Gmail: non-synchronising only up to 4096 bytes) or 'sync' (neither, as Courier-IMAP: every
   * literal waits for the server's '+'). Dovecot itself still accepts any literal; the client must
   * go by what is offered.
   */
  literals?: 'plus' | 'minus' | 'sync';
  /** Whether MULTIAPPEND (RFC 3502) is offered (default true). */
  multiappend?: boolean;
  /** Whether ESEARCH (RFC 4731) is offered (default true); without it SEARCH answers list every UID. */
  esearch?: boolean;
  /** Whether LIST-STATUS (RFC 5819) is offered (default true); without it a folder list carries no counts. */
  listStatus?: boolean;
  /** SASL mechanisms offered (default 'plain login'); 'login' alone shows a server without AUTH=PLAIN. */
  authMechanisms?: string;
  /** Offer TLS: STARTTLS on `port` and implicit TLS on `tlsPort`, with a fresh self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /**
   * How mail is kept on disk (default 'sdbox'): 'maildir' (maildir++: '.' is refused in folder
   * names), 'maildir-fs' (one directory per folder, a file per message: for damaging messages on
   * disk) or 'mbox' (a file per folder). Under `mailHome(user)`: `Maildir/` or `mail/`.
   */
  mailFormat?: MailFormat;
  /**
   * OAuth2-only users: the `oauth2` passdb validates JWTs locally with these keys (XOAUTH2 and
   * OAUTHBEARER); users have no password. The master user still logs in with SASL PLAIN (for checks).
   */
  oauth2?: OAuth2Keys;
}

/** The keys a test Dovecot trusts for JWT access tokens (oauth2 passdb, introspection_mode = local). */
export interface OAuth2Keys {
  /** An HMAC key for HS256 tokens without a kid. */
  hs256?: Buffer;
  /** An RSA public key (PEM) for RS256 tokens with this kid. */
  rs256?: { kid: string; publicKeyPem: string };
  /** A claim a token must carry with this value, or the login is refused (active_attribute). */
  activeClaim?: { name: string; value: string };
}

/** How a test instance keeps mail on disk. */
export type MailFormat = 'sdbox' | 'maildir' | 'maildir-fs' | 'mbox';

const MAIL_LOCATIONS: Record<MailFormat, string> = {
  sdbox: 'sdbox:~/sdbox',
  maildir: 'maildir:~/Maildir',
  'maildir-fs': 'maildir:~/Maildir:LAYOUT=fs',
  mbox: 'mbox:~/mail:INBOX=~/mail/inbox',
};

/** Credentials of a user of a test Dovecot instance. */
export interface DovecotUser {
  /** Login name. */
  user: string;
  /** Current password. */
  password: string;
}

/** A running test Dovecot instance. */
export interface DovecotServer {
  /** Always '127.0.0.1'. */
  host: string;
  /** The IMAP port (plaintext auth allowed; STARTTLS offered with the tls option). */
  port: number;
  /** `imap://127.0.0.1:${port}` */
  url: string;
  /** With the tls option: the implicit-TLS port. */
  tlsPort: number | undefined;
  /** With the tls option: `imaps://127.0.0.1:${tlsPort}`. */
  tlsUrl: string | undefined;
  /** With the tls option: the server's self-signed certificate (PEM), to trust it explicitly. */
  certFile: string | undefined;
  /** Temporary directory of this instance (config, logs in dovecot.log, passwd files, mail). */
  dir: string;
  /** A Dovecot master user: log in with SASL PLAIN authzid=user, or LOGIN "user*master". */
  masterUser: string;
  /** The master user's password. */
  masterPassword: string;
  /** Creates a fresh user with a random password (name optional, must be unique). */
  addUser(name?: string): Promise<DovecotUser>;
  /** Makes later logins of the user fail as a disabled account (passwd-file extra field nologin / reason). */
  disableUser(user: string): Promise<void>;
  /** Disconnects every session of the user, as an admin's `doveadm kick` does. */
  kick(user: string): Promise<void>;
  /** Changes a user's password. */
  setPassword(user: string, password: string): Promise<void>;
  /** The user's home directory, where the mail files are (see DovecotOptions.mailFormat). */
  mailHome(user: string): string;
  /** Stops the server (SIGTERM, waits for exit) and removes its directory. */
  stop(): Promise<void>;
}

const DOVECOT = '/usr/sbin/dovecot';
const HOST = '127.0.0.1';
const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const DEFAULT_SPECIAL_USE: Record<string, string> = {
  Sent: '\\Sent',
  Trash: '\\Trash',
  Drafts: '\\Drafts',
  Junk: '\\Junk',
  Archive: '\\Archive',
};
// Dovecot 2.3.19's post-login capabilities less CONDSTORE and QRESYNC (imap_capability replaces the list).
const CAPABILITIES_WITHOUT_CONDSTORE =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED ' +
  'I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY ' +
  'PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

/** The post-login capability list for the options, or undefined for Dovecot's own (all defaults). */
function capabilityList(c: ConfigInput): string | undefined {
  if (c.condstore && c.literals === 'plus' && c.multiappend && c.esearch && c.listStatus) return undefined;
  const words = CAPABILITIES_WITHOUT_CONDSTORE.split(' ')
    .filter((w) => w !== 'MULTIAPPEND' || c.multiappend)
    .filter((w) => w !== 'ESEARCH' || c.esearch)
    .filter((w) => w !== 'LIST-STATUS' || c.listStatus)
    .flatMap((w) =>
      w !== 'LITERAL+' ? [w] : c.literals === 'plus' ? [w] : c.literals === 'minus' ? ['LITERAL-'] : [],
    );
  if (c.condstore) words.push('CONDSTORE', 'QRESYNC');
  return words.join(' ');
}

// Instances still running, killed synchronously if the process exits without stopping them.
const running = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pid, dir] of running) {
      killGroup(pid, 'SIGKILL');
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
    running.clear();
  });
}

/** Sends a signal to the process group led by pid (the instance is spawned detached); ignores a gone group. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left
  }
}

/** Numeric ids of the accounts the instance needs, read from /etc/passwd and /etc/group. */
interface Ids {
  root: boolean;
  mailUid: number;
  mailGid: number;
  dovecotGid: number | undefined;
  userName: string;
  groupName: string;
}

function lookupIds(): Ids {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  const group = readFileSync('/etc/group', 'utf8').split('\n');
  const field = (lines: string[], name: string, index: number): number | undefined => {
    const line = lines.find((l) => l.split(':')[0] === name);
    const value = line?.split(':')[index];
    return value === undefined ? undefined : Number(value);
  };
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid === 0) {
    // Mail processes refuse uid 0: mail is owned by nobody; passwd files are read by the auth process (dovecot group).
    const nobodyUid = field(passwd, 'nobody', 2) ?? 65534;
    const nogroupGid = field(group, 'nogroup', 2) ?? field(passwd, 'nobody', 3) ?? 65534;
    return {
      root: true,
      mailUid: nobodyUid,
      mailGid: nogroupGid,
      dovecotGid: field(group, 'dovecot', 2),
      userName: 'root',
      groupName: 'root',
    };
  }
  const groupName = group.find((l) => l.split(':')[2] === String(gid))?.split(':')[0] ?? String(gid);
  return {
    root: false,
    mailUid: uid,
    mailGid: gid,
    dovecotGid: undefined,
    userName: os.userInfo().username,
    groupName,
  };
}

/** Finds a free loopback port by listening on port 0 and closing. */
const freePort = freeLoopbackPort;

/** Quotes a string for dovecot.conf (whose parser takes no escapes in section names: '"' and '\\' are refused). */
function confString(value: string): string {
  if (/["\\\r\n]/.test(value)) throw new Error(`cannot put ${JSON.stringify(value)} into dovecot.conf`);
  return `"${value}"`;
}

/** Validates a user name for the passwd-file and the mail path. */
function checkUserName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(name) || name.includes('..')) {
    throw new Error(`unusable test user name ${JSON.stringify(name)}`);
  }
}

/** One passwd-file line; the password is base64-encoded so it may hold any character. */
function passwdLine(user: string, password: string, disabled: boolean): string {
  const scheme = `{PLAIN.BASE64}${Buffer.from(password, 'utf8').toString('base64')}`;
  const extra = disabled ? 'nologin=y reason=Account-disabled-by-administrator' : '';
  return `${user}:${scheme}::::::${extra}\n`;
}

interface ConfigInput {
  dir: string;
  port: number;
  ids: Ids;
  delimiter: '/' | '.';
  prefix: string;
  specialUse: Record<string, string>;
  maxMessageSize: number | undefined;
  appendLimit: number | undefined;
  condstore: boolean;
  literals: 'plus' | 'minus' | 'sync';
  multiappend: boolean;
  esearch: boolean;
  listStatus: boolean;
  authMechanisms: string;
  mailFormat: MailFormat;
  /** Implicit-TLS port and certificate files, when TLS is on. */
  tls: { port: number; cert: string; key: string } | undefined;
  /** The oauth2 passdb's settings file, for OAuth2-only users. */
  oauth2File: string | undefined;
}

function buildConfig(c: ConfigInput): string {
  const d = c.dir;
  // Mailbox names in a namespace block are relative to its prefix (nested ones use its separator).
  const mailboxes = Object.entries(c.specialUse)
    .map(([name, use]) =>
      [`  mailbox ${confString(name)} {`, `    special_use = ${use}`, '    auto = subscribe', '  }'].join(
        '\n',
      ),
    )
    .join('\n');
  const lines = [
    '# Generated by src/testing/dovecot.ts: a throwaway test instance.',
    `instance_name = ${path.basename(d)}`,
    `base_dir = ${d}/run`,
    `state_dir = ${d}/state`,
    `listen = ${HOST}`,
    'protocols = imap',
    ...(c.tls ? ['ssl = yes', `ssl_cert = <${c.tls.cert}`, `ssl_key = <${c.tls.key}`] : ['ssl = no']),
    'disable_plaintext_auth = no',
    `auth_mechanisms = ${c.authMechanisms}`,
    'auth_master_user_separator = *',
    'auth_failure_delay = 0',
    `log_path = ${d}/dovecot.log`,
    `info_log_path = ${d}/dovecot.log`,
    `mail_location = ${MAIL_LOCATIONS[c.mailFormat]}`,
    'mail_fsync = never',
    // Dovecot 2.3.19's mailbox list index deadlocks when several imap processes of one user open
    // folders at once (fcntl: panic on EDEADLK; flock: a 60 s lock wait, then SERVERBUG).
    'mailbox_list_index = no',
    'mail_max_userip_connections = 100',
  ];
  if (!c.ids.root) {
    lines.push(
      `default_internal_user = ${c.ids.userName}`,
      `default_internal_group = ${c.ids.groupName}`,
      `default_login_user = ${c.ids.userName}`,
      'service anvil {\n  chroot =\n}',
      'service imap-login {\n  chroot =\n}',
    );
  }
  const capabilities = capabilityList(c);
  const appendLimit = c.appendLimit === undefined ? '' : ` APPENDLIMIT=${c.appendLimit}`;
  if (capabilities) lines.push(`imap_capability = ${capabilities}${appendLimit}`);
  else if (appendLimit) lines.push(`imap_capability = +${appendLimit.trim()}`);
  if (c.maxMessageSize !== undefined) lines.push('mail_plugins = $mail_plugins quota');
  lines.push(
    'service imap-login {',
    '  inet_listener imap {',
    `    address = ${HOST}`,
    `    port = ${c.port}`,
    '  }',
    '  inet_listener imaps {',
    ...(c.tls ? [`    address = ${HOST}`, `    port = ${c.tls.port}`, '    ssl = yes'] : ['    port = 0']),
    '  }',
    '}',
    // Master users first: "user*master" or SASL PLAIN authzid=user; pass = yes also looks the user up below.
    'passdb {',
    '  driver = passwd-file',
    '  master = yes',
    // With OAuth2-only users there is no password to look the user up with afterwards.
    `  pass = ${c.oauth2File ? 'no' : 'yes'}`,
    `  args = username_format=%u ${d}/auth/master.passwd`,
    '}',
    ...(c.oauth2File
      ? [
          'passdb {',
          '  driver = oauth2',
          '  mechanisms = xoauth2 oauthbearer',
          `  args = ${c.oauth2File}`,
          '}',
        ]
      : [
          // One file per user: a new user is seen at once (passwd-file re-stats a file at most once a second).
          'passdb {',
          '  driver = passwd-file',
          `  args = username_format=%u ${d}/auth/users/%u`,
          '}',
        ]),
    'userdb {',
    '  driver = static',
    `  args = uid=${c.ids.mailUid} gid=${c.ids.mailGid} home=${d}/mail/%u`,
    '}',
    'namespace inbox {',
    '  inbox = yes',
    `  separator = ${c.delimiter}`,
    `  prefix = ${c.prefix === '' ? '' : confString(c.prefix)}`,
    mailboxes,
    '}',
  );
  if (c.maxMessageSize !== undefined) {
    lines.push(
      'plugin {',
      '  quota = count:User quota',
      '  quota_vsizes = yes',
      `  quota_max_mail_size = ${c.maxMessageSize}`,
      '}',
    );
  }
  return lines.filter((l) => l !== '').join('\n') + '\n';
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Connects once and resolves to the first line the server sends (or '' on any failure). */
function readGreeting(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let data = '';
    const done = (value: string): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(''));
    socket.on('error', () => done(''));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n');
      if (end >= 0) done(data.slice(0, end));
    });
    socket.on('close', () => done(data));
  });
}

async function readLog(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['stderr.log', 'dovecot.log']) {
    try {
      const text = await readFile(path.join(dir, name), 'utf8');
      if (text.trim() !== '') parts.push(`--- ${name}\n${text.slice(-8000)}`);
    } catch {
      // not written
    }
  }
  return parts.join('\n');
}

interface Launched {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Spawns dovecot in the foreground, detached into its own process group, output to files. */
function launch(dir: string, configFile: string): Launched {
  const stderr = openSync(path.join(dir, 'stderr.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(DOVECOT, ['-F', '-c', configFile], {
      detached: true,
      stdio: ['ignore', stderr, stderr],
    });
  } finally {
    closeSync(stderr);
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  child.unref();
  return { child, exited };
}

/** Waits for the instance to listen and greet; removes the auth penalty socket before the first login. */
async function waitReady(dir: string, port: number, launched: Launched): Promise<void> {
  const { child } = launched;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const pidFile = path.join(dir, 'run', 'master.pid');
  const penaltySocket = path.join(dir, 'run', 'anvil-auth-penalty');
  let pidSeenAt: number | undefined;
  let penaltyHandled = false;
  const isExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  while (Date.now() < deadline) {
    if (isExited()) {
      throw new Error(
        `dovecot exited during startup (code ${child.exitCode}, signal ${child.signalCode})\n${await readLog(dir)}`,
      );
    }
    if (!penaltyHandled) {
      // The auth process connects to anvil-auth-penalty when it starts (at the first login connection);
      // without that socket it disables the per-IP failure penalty, which would delay every failed
      // login from 127.0.0.1 by 2-15 s. Removing it is the only way Dovecot 2.3 offers.
      if (await exists(penaltySocket)) {
        await unlink(penaltySocket).catch(() => undefined);
        penaltyHandled = true;
      } else if (await exists(pidFile)) {
        pidSeenAt ??= Date.now();
        if (Date.now() - pidSeenAt > 1000) penaltyHandled = true;
      }
      if (!penaltyHandled) {
        await sleep(20);
        continue;
      }
    }
    const greeting = await readGreeting(port, 1000);
    if (greeting.startsWith('* OK')) return;
    await sleep(50);
  }
  throw new Error(
    `dovecot did not come up on port ${port} within ${STARTUP_TIMEOUT_MS} ms\n${await readLog(dir)}`,
  );
}

/** Stops a launched instance: SIGTERM, then SIGKILL to its whole process group if it does not exit in time. */
async function terminate(launched: Launched): Promise<void> {
  const pid = launched.child.pid;
  if (pid === undefined) return;
  const { child } = launched;
  child.ref(); // keep the event loop alive until the exit is seen
  if (child.exitCode === null && child.signalCode === null) {
    // SIGTERM to the whole group: the master alone waits about a second for its children to go.
    killGroup(pid, 'SIGTERM');
    const timer = new AbortController();
    const timedOut = await Promise.race([
      launched.exited.then(() => false),
      sleep(STOP_TIMEOUT_MS, true, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (timedOut) {
      killGroup(pid, 'SIGKILL');
      await launched.exited;
    }
  }
  // Children of the master that outlive it (e.g. a mail process finishing) are in its process group.
  killGroup(pid, 'SIGKILL');
  child.unref();
}

/**
 * Writes the oauth2 passdb's settings and its keys: Dovecot 2.3.19 looks a token's key up at
 * `<azp|default>/<alg>/<kid|default>` (HMAC keys base64, RSA keys as PEM), wants the header `typ`
 * to be `JWT`, the claims `sub` and `exp`, and `email` equal to the login user.
 */
async function writeOAuth2Settings(authDir: string, keys: OAuth2Keys): Promise<string> {
  const keyDir = path.join(authDir, 'oauth2-keys');
  if (keys.hs256) {
    await mkdir(path.join(keyDir, 'default', 'HS256'), { recursive: true });
    await writeFile(path.join(keyDir, 'default', 'HS256', 'default'), keys.hs256.toString('base64'));
  }
  if (keys.rs256) {
    await mkdir(path.join(keyDir, 'default', 'RS256'), { recursive: true });
    await writeFile(path.join(keyDir, 'default', 'RS256', keys.rs256.kid), keys.rs256.publicKeyPem);
  }
  const file = path.join(authDir, 'oauth2.conf');
  await writeFile(
    file,
    [
      'introspection_mode = local',
      `local_validation_key_dict = fs:posix:prefix=${keyDir}/`,
      'username_attribute = email',
      ...(keys.activeClaim
        ? [`active_attribute = ${keys.activeClaim.name}`, `active_value = ${keys.activeClaim.value}`]
        : []),
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts a throwaway Dovecot instance on a free loopback port. */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const ids = lookupIds();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tranche-dovecot-'));
  try {
    return await startIn(dir, ids, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(dir: string, ids: Ids, options: DovecotOptions): Promise<DovecotServer> {
  installExitHook();
  await chmod(dir, 0o755);
  for (const sub of ['run', 'state', 'mail', 'auth', 'auth/users']) await mkdir(path.join(dir, sub));
  await chown(path.join(dir, 'mail'), ids.mailUid, ids.mailGid);
  const authDir = path.join(dir, 'auth');
  const usersDir = path.join(authDir, 'users');
  const secureAuthFile = async (file: string, mode: number): Promise<void> => {
    if (ids.dovecotGid !== undefined) await chown(file, 0, ids.dovecotGid);
    await chmod(file, mode);
  };
  await secureAuthFile(authDir, 0o750);
  await secureAuthFile(usersDir, 0o750);

  const masterUser = 'master';
  const masterPassword = randomBytes(12).toString('hex');
  const masterFile = path.join(authDir, 'master.passwd');
  await writeFile(masterFile, passwdLine(masterUser, masterPassword, false));
  await secureAuthFile(masterFile, 0o640);

  const oauth2File = options.oauth2 ? await writeOAuth2Settings(authDir, options.oauth2) : undefined;
  if (oauth2File) await secureAuthFile(oauth2File, 0o640);
  const configFile = path.join(dir, 'dovecot.conf');
  let launched: Launched | undefined;
  let port = 0;
  let tlsPort: number | undefined;
  const tlsFiles = options.tls ? await makeCertificate(dir) : undefined;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    tlsPort = tlsFiles ? await freePort() : undefined;
    await writeFile(
      configFile,
      buildConfig({
        dir,
        port,
        ids,
        delimiter: options.delimiter ?? '/',
        prefix: options.prefix ?? '',
        specialUse: options.specialUse ?? DEFAULT_SPECIAL_USE,
        maxMessageSize: options.maxMessageSize,
        appendLimit: options.appendLimit,
        condstore: options.condstore ?? true,
        literals: options.literals ?? 'plus',
        multiappend: options.multiappend ?? true,
        esearch: options.esearch ?? true,
        listStatus: options.listStatus ?? true,
        authMechanisms:
          options.authMechanisms ?? (options.oauth2 ? 'plain login xoauth2 oauthbearer' : 'plain login'),
        oauth2File,
        mailFormat: options.mailFormat ?? 'sdbox',
        tls: tlsFiles && tlsPort ? { port: tlsPort, ...tlsFiles } : undefined,
      }),
    );
    launched = launch(dir, configFile);
    if (launched.child.pid !== undefined) running.set(launched.child.pid, dir);
    try {
      await waitReady(dir, port, launched);
      break;
    } catch (error) {
      await terminate(launched);
      if (launched.child.pid !== undefined) running.delete(launched.child.pid);
      // Another process may have taken the port between our probe and dovecot's bind: try another.
      const text = error instanceof Error ? error.message : String(error);
      if (attempt < 3 && /Address already in use/.test(text)) {
        await writeFile(path.join(dir, 'dovecot.log'), '');
        await writeFile(path.join(dir, 'stderr.log'), '');
        continue;
      }
      throw error;
    }
  }
  const instance = launched;

  // passwd files: one per user, rewritten atomically with an mtime that always moves forward,
  // since Dovecot only re-reads a file whose mtime or size changed.
  const users = new Map<string, { password: string; disabled: boolean }>();
  let lastMtime = 0;
  const writeUser = async (user: string): Promise<void> => {
    const entry = users.get(user);
    if (entry === undefined) throw new Error(`no such test user ${user}`);
    const file = path.join(usersDir, user);
    const temp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(temp, passwdLine(user, entry.password, entry.disabled));
    await secureAuthFile(temp, 0o640);
    lastMtime = Math.max(Math.floor(Date.now() / 1000), lastMtime + 1);
    await utimes(temp, lastMtime, lastMtime);
    await rename(temp, file);
  };
  // Dovecot stats a passwd file at most once per second of its clock: after changing an existing
  // user, wait for the next second so the next login surely sees the change.
  const waitNextSecond = async (): Promise<void> => {
    await sleep(1000 - (Date.now() % 1000) + 20);
  };
  let stopped = false;
  let userCounter = 0;

  const server: DovecotServer = {
    host: HOST,
    port,
    url: `imap://${HOST}:${port}`,
    tlsPort,
    tlsUrl: tlsPort ? `imaps://${HOST}:${tlsPort}` : undefined,
    certFile: tlsFiles?.cert,
    dir,
    masterUser,
    masterPassword,
    async addUser(name?: string): Promise<DovecotUser> {
      const user = name ?? `user${++userCounter}-${randomBytes(3).toString('hex')}`;
      checkUserName(user);
      if (users.has(user) || user === masterUser) throw new Error(`test user ${user} already exists`);
      const password = randomBytes(12).toString('base64url');
      users.set(user, { password, disabled: false });
      await writeUser(user);
      return { user, password };
    },
    async disableUser(user: string): Promise<void> {
      const entry = users.get(user);
      if (entry === undefined) throw new Error(`no such test user ${user}`);
      entry.disabled = true;
      await writeUser(user);
      await waitNextSecond();
    },
    async kick(user: string): Promise<void> {
      await new Promise<void>((resolve) => {
        // Exits non-zero when the user has no session: nothing to kick is not a failure here.
        execFile('doveadm', ['-c', configFile, 'kick', user], () => resolve());
      });
    },
    async setPassword(user: string, password: string): Promise<void> {
      const entry = users.get(user);
      if (entry === undefined) throw new Error(`no such test user ${user}`);
      entry.password = password;
      await writeUser(user);
      await waitNextSecond();
    },
    mailHome(user: string): string {
      checkUserName(user);
      return path.join(dir, 'mail', user);
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await terminate(instance);
      if (instance.child.pid !== undefined) running.delete(instance.child.pid);
      // TRANCHE_KEEP_TEST_DIRS=1 keeps the instance's directory (config, dovecot.log) for a post-mortem.
      if (process.env.TRANCHE_KEEP_TEST_DIRS) process.stderr.write(`kept Dovecot directory ${dir}\n`);
      else await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
