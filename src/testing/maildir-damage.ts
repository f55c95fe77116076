// Test fixture: damages a test Dovecot's maildir on disk, after the server indexed it, as real
// mail stores are damaged (a file truncated, overwritten or deleted; a folder nobody may read).
import { createHash } from 'node:crypto';
import { chmod, readFile, readdir, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DovecotServer, DovecotUser } from './dovecot.js';
import { rawClient } from './sync-fixture.js';

/** The directory of FOLDER in a 'maildir-fs' instance ('INBOX' is the Maildir itself). */
export function maildirFolder(server: DovecotServer, user: DovecotUser, folder: string): string {
  const root = path.join(server.mailHome(user.user), 'Maildir');
  return folder.toUpperCase() === 'INBOX' ? root : path.join(root, ...folder.split('/'));
}

/** The file holding message UID of FOLDER, found through the folder's dovecot-uidlist. */
export async function messageFile(
  server: DovecotServer,
  user: DovecotUser,
  folder: string,
  uid: number,
): Promise<string> {
  const dir = maildirFolder(server, user, folder);
  const list = await readFile(path.join(dir, 'dovecot-uidlist'), 'utf8');
  const line = list
    .split('\n')
    .slice(1)
    .find((l) => l.split(' ')[0] === String(uid));
  // "UID [fields] :file name" (the name without its ':2,' flags part, which changes with the flags).
  const base = line?.slice(line.indexOf(' :') + 2).split(':')[0];
  if (!line || !base) throw new Error(`no UID ${uid} in ${folder}`);
  for (const sub of ['cur', 'new']) {
    const name = (await readdir(path.join(dir, sub))).find((f) => f.split(':')[0] === base);
    if (name) return path.join(dir, sub, name);
  }
  throw new Error(`no file for UID ${uid} in ${folder}`);
}

/** SHA-256 of one message as the server gives it now (before damage), read with imapflow. */
export async function messageSha256(
  server: DovecotServer,
  user: DovecotUser,
  folder: string,
  uid: number,
): Promise<string> {
  const client = await rawClient(server, user);
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
    if (!message || !message.source) throw new Error(`cannot read ${folder} UID ${uid}`);
    return createHash('sha256').update(message.source).digest('hex');
  } finally {
    await client.logout();
  }
}

/** One way of damaging a message file. */
export type MessageDamage = 'truncate' | 'overwrite' | 'delete';

/** Damages message UID of FOLDER on disk; returns how to put it back as it was. */
export async function damageMessage(
  server: DovecotServer,
  user: DovecotUser,
  folder: string,
  uid: number,
  damage: MessageDamage,
): Promise<() => Promise<void>> {
  const file = await messageFile(server, user, folder, uid);
  const original = await readFile(file);
  // A maildir message's internal date is its file's modification time: a repair puts it back too.
  const { atime, mtime } = await stat(file);
  if (damage === 'truncate') await truncate(file, 0);
  else if (damage === 'overwrite') await writeFile(file, Buffer.alloc(777, 0x5a));
  else await rm(file);
  return async () => {
    await writeFile(file, original);
    await utimes(file, atime, mtime);
  };
}

/** Makes a folder unreadable to the server (mode 000); returns how to give it back. */
export async function lockFolder(
  server: DovecotServer,
  user: DovecotUser,
  folder: string,
): Promise<() => Promise<void>> {
  const dir = maildirFolder(server, user, folder);
  const { mode } = await stat(dir);
  await chmod(dir, 0o000);
  return () => chmod(dir, mode & 0o7777);
}
