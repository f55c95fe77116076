import { astring } from '../mailstore/imap/wire/command.js';
import type { WireConnection } from '../mailstore/imap/wire/wire-connection.js';
import type { CommandTimer } from './command-timer.js';
import type { ActionKind } from './profile.js';
import { soakMessage } from './soak-message.js';

/** What a simulated user knows of its own mail, learnt at the start and kept up as it acts. */
export interface UserMail {
  user: string;
  runId: string;
  sent: string | undefined;
  /** INBOX messages seen at the start: UID → whether \Flagged was set (restored by every flag action). */
  known: Map<number, boolean>;
  /** Messages this run appended and has not removed yet. */
  appended: { folder: string; uid: number }[];
  messageBytes: number;
  nextSequence: () => number;
  uidplus: boolean;
}

/** One connection of a user and the folder it has selected. */
export interface UserConnection {
  wire: WireConnection;
  selected: string | undefined;
}

/** Everything an action needs: the connection it runs on, the user's mail, its timer. */
export interface ActionContext {
  connection: UserConnection;
  mail: UserMail;
  timer: CommandTimer;
  /** Opens a connection and logs in, as a webmail or phone client does for a short visit (timed as login). */
  visit: () => Promise<void>;
  random: () => number;
}

async function ensureSelected(ctx: ActionContext, folder: string): Promise<void> {
  if (ctx.connection.selected === folder) return;
  ctx.connection.selected = undefined;
  await ctx.timer.run('select', ctx.connection.wire, ['SELECT ', astring(folder)]);
  ctx.connection.selected = folder;
}

function pickKnown(ctx: ActionContext): number | undefined {
  if (ctx.mail.known.size === 0) return undefined;
  const uids = [...ctx.mail.known.keys()];
  return uids[Math.floor(ctx.random() * uids.length)];
}

async function append(ctx: ActionContext, folder: string, flags: string): Promise<void> {
  const sequence = ctx.mail.nextSequence();
  const message = soakMessage(ctx.mail.runId, sequence, ctx.mail.messageBytes, ctx.mail.user);
  const done = await ctx.timer.run('append', ctx.connection.wire, [
    `APPEND ${astring(folder) as string} (${flags}) `,
    { literal: [message] },
  ]);
  const uid = /\[APPENDUID \d+ (\d+)\]/i.exec(done.text)?.[1];
  // Without UIDPLUS there is no UID: the clean-up finds the message again by its Message-ID.
  if (uid) ctx.mail.appended.push({ folder, uid: Number(uid) });
}

/**
 * The IMAP commands of each user action. Nothing here changes the account's own mail for good:
 * fetches PEEK (no \Seen), a flag set is cleared again (or a cleared one set again), and only
 * messages this run appended are expunged, by UID.
 */
export const USER_ACTIONS: Record<ActionKind, (ctx: ActionContext) => Promise<void>> = {
  login: (ctx) => ctx.visit(),
  list: async (ctx) => {
    await ctx.timer.run('list', ctx.connection.wire, ['LIST "" "*"']);
  },
  select: async (ctx) => {
    const folder = ctx.mail.sent && ctx.random() < 0.2 ? ctx.mail.sent : 'INBOX';
    ctx.connection.selected = undefined;
    await ctx.timer.run('select', ctx.connection.wire, ['SELECT ', astring(folder)]);
    ctx.connection.selected = folder;
  },
  status: async (ctx) => {
    const folder = ctx.connection.selected === 'INBOX' && ctx.mail.sent ? ctx.mail.sent : 'INBOX';
    await ctx.timer.run('status', ctx.connection.wire, [
      'STATUS ',
      astring(folder),
      ' (MESSAGES UIDNEXT UNSEEN)',
    ]);
  },
  fetchHeaders: async (ctx) => {
    await ensureSelected(ctx, 'INBOX');
    const uids = [...ctx.mail.known.keys()].slice(-25);
    const set = uids.length > 0 ? `${Math.min(...uids)}:*` : '1:*';
    await ctx.timer.run('fetch', ctx.connection.wire, [
      `UID FETCH ${set} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])`,
    ]);
  },
  fetchMessage: async (ctx) => {
    await ensureSelected(ctx, 'INBOX');
    const uid = pickKnown(ctx) ?? ctx.mail.appended.find((a) => a.folder === 'INBOX')?.uid ?? 1;
    await ctx.timer.run('fetch', ctx.connection.wire, [`UID FETCH ${uid} (UID BODY.PEEK[])`]);
  },
  search: async (ctx) => {
    await ensureSelected(ctx, 'INBOX');
    await ctx.timer.run('search', ctx.connection.wire, ['UID SEARCH SUBJECT "meeting"']);
  },
  deliver: (ctx) => append(ctx, 'INBOX', ''),
  saveSent: (ctx) => append(ctx, ctx.mail.sent ?? 'INBOX', '\\Seen'),
  flag: async (ctx) => {
    const uid = pickKnown(ctx);
    if (uid === undefined) return;
    await ensureSelected(ctx, 'INBOX');
    const flagged = ctx.mail.known.get(uid)!;
    const [first, back] = flagged ? ['-', '+'] : ['+', '-'];
    await ctx.timer.run('store', ctx.connection.wire, [`UID STORE ${uid} ${first}FLAGS.SILENT (\\Flagged)`]);
    await ctx.timer.run('store', ctx.connection.wire, [`UID STORE ${uid} ${back}FLAGS.SILENT (\\Flagged)`]);
  },
  expunge: async (ctx) => {
    if (!ctx.mail.uidplus) return;
    const index = Math.floor(ctx.random() * ctx.mail.appended.length);
    const own = ctx.mail.appended[index];
    if (!own) return;
    ctx.mail.appended.splice(index, 1);
    await ensureSelected(ctx, own.folder);
    await ctx.timer.run('store', ctx.connection.wire, [`UID STORE ${own.uid} +FLAGS.SILENT (\\Deleted)`]);
    await ctx.timer.run('expunge', ctx.connection.wire, [`UID EXPUNGE ${own.uid}`]);
  },
};
