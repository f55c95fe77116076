// Test harness: Debian's Radicale 3 as a throwaway server: htpasswd users, a rights file giving an
// admin every user's collections, storage in a temporary directory, on a free loopback port.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort, launchDavProcess } from './dav-process.js';
import { httpRequest } from './http-request.js';

/** Options of a test Radicale. */
export interface RadicaleOptions {
  /** Largest request body accepted (Radicale's max_content_length): bigger items get 413. */
  maxContentLength?: number;
  /** The admin's login (default: 'admin' with a random password), e.g. the same as a mail server's master user. */
  admin?: DavLogin;
}

/** A login on a test DAV server. */
export interface DavLogin {
  user: string;
  password: string;
}

/** A running test Radicale. */
export interface RadicaleServer {
  port: number;
  pid: number | undefined;
  /** `http://127.0.0.1:${port}` */
  url: string;
  /** The admin, with read and write on every user's collections. */
  admin: DavLogin;
  dir: string;
  /** Adds a user (random password unless given) and creates their principal collection, as a first login does. */
  addUser(name?: string, password?: string): Promise<DavLogin>;
  /** Gives a user another password (Radicale reads its users file at every login). */
  setPassword(name: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

const rights = (admin: string): string => `# the admin reads and writes every user's collections
[admin]
user: ${admin}
collection: .*
permissions: RrWw

[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw
`;

let userCount = 0;

/** Starts Radicale (python3 -m radicale from /usr/bin/python3) on a free loopback port. */
export async function startRadicale(options: RadicaleOptions = {}): Promise<RadicaleServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tranche-radicale-'));
  const port = await freeLoopbackPort();
  const users = path.join(dir, 'users');
  const admin: DavLogin = options.admin ?? { user: 'admin', password: randomBytes(9).toString('base64url') };
  await writeFile(users, `${admin.user}:${admin.password}\n`);
  await writeFile(path.join(dir, 'rights'), rights(admin.user));
  const config = [
    '[server]',
    `hosts = 127.0.0.1:${port}`,
    `max_content_length = ${options.maxContentLength ?? 100_000_000}`,
    '[auth]',
    'type = htpasswd',
    `htpasswd_filename = ${users}`,
    'htpasswd_encryption = plain',
    'delay = 0',
    '[rights]',
    'type = from_file',
    `file = ${path.join(dir, 'rights')}`,
    '[storage]',
    `filesystem_folder = ${path.join(dir, 'collections')}`,
    '[logging]',
    'level = warning',
    'mask_passwords = True',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'config'), config);
  const proc = await launchDavProcess(
    'radicale',
    '/usr/bin/python3',
    ['-m', 'radicale', '--config', path.join(dir, 'config')],
    dir,
    port,
  );
  return {
    port,
    pid: proc.pid,
    url: proc.origin,
    admin,
    dir,
    async addUser(name?: string, password?: string): Promise<DavLogin> {
      const login = {
        user: name ?? `u${++userCount}${randomBytes(3).toString('hex')}`,
        password: password ?? randomBytes(9).toString('base64url'),
      };
      await appendFile(users, `${login.user}:${login.password}\n`);
      // Radicale creates a user's principal collection when the user first looks at it.
      const response = await httpRequest('PROPFIND', `${proc.origin}/${login.user}/`, {
        Depth: '0',
        Authorization: basicAuth(login),
      });
      if (response.status !== 207)
        throw new Error(`radicale: PROPFIND of the new principal gave ${response.status}`);
      return login;
    },
    async setPassword(name: string, password: string): Promise<void> {
      const lines = (await readFile(users, 'utf8')).split('\n');
      const at = lines.findIndex((l) => l.startsWith(`${name}:`));
      if (at < 0) throw new Error(`radicale: no user ${name}`);
      lines[at] = `${name}:${password}`;
      await writeFile(users, lines.join('\n'));
    },
    stop: () => proc.stop(),
  };
}

/** The Basic authorization header of a login. */
export function basicAuth(login: DavLogin): string {
  return `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`;
}
