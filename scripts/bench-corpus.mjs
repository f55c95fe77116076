// The mailbox shapes of the copy benchmark (scripts/bench.mjs), and a fast loader for them: the
// source is filled through tranche's own MULTIAPPEND (a bench needs no independent checker; the
// tests keep imapflow for that), so a 60,000-message folder loads in seconds, not minutes.
import { generateCorpus, serverFolderPath } from '../dist/testing/corpus.js';
import { endpointOf } from '../dist/testing/sync-fixture.js';
import { WireStore } from '../dist/mailstore/imap/wire-store.js';

/** 2,000 messages, ~245 MB, spread over 15 folders by everyday weights. */
export function evenCorpus() {
  return generateCorpus({ seed: 4242, messages: 2000, bigAttachments: 50 });
}

/** The ten folders of the dominant-folder mailbox and of the no-op passes. */
export const TEN_FOLDERS = [
  'INBOX',
  'Sent',
  'Drafts',
  'Trash',
  'Archive',
  'Work',
  'Work/Projects',
  'Lists',
  'Receipts',
  'Travel',
];

/** 2,000 messages in 10 folders, most of the bytes in INBOX (as the mailbox measured in issue 18). */
export function dominantCorpus() {
  const corpus = generateCorpus({ seed: 4243, messages: 2000, folders: TEN_FOLDERS, bigAttachments: 40 });
  corpus.forEach((m, i) => {
    if (i >= TEN_FOLDERS.length && (m.raw.length > 1_000_000 || i % 5 < 2)) m.folder = 'INBOX';
  });
  return corpus;
}

/** 300 messages over the 15 folders: the no-LITERAL+ targets' shape (issue 18 measured 600 into Courier; 300 keep mbsync's 20 ms runs, one round trip per message, to ~20 s each). */
export function smallCorpus() {
  return generateCorpus({ seed: 4244, messages: 300, bigAttachments: 2 });
}

const WORDS =
  'the of and to in is that for it as with was on be by at this from or an are not have had but'.split(' ');

/** One plain message of ~1.5-3 KB, numbered. */
export function plainMessage(i, date = new Date(Date.UTC(2024, 0, 1) + i * 60_000)) {
  let text = '';
  let x = i * 2654435761;
  const length = 1200 + (i % 17) * 100;
  while (text.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    text += WORDS[x % WORDS.length] + ((x >> 8) % 11 === 0 ? '.\r\n' : ' ');
  }
  const raw = Buffer.from(
    `From: sender${i % 97}@example.org\r\nTo: bench@example.org\r\nSubject: message ${i}\r\n` +
      `Message-ID: <${i}.${date.getTime()}@bench.example.org>\r\nDate: ${date.toUTCString()}\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${text}\r\n`,
  );
  return { folder: 'INBOX', raw, flags: i % 3 ? ['\\Seen'] : [], internalDate: date };
}

/** One folder (INBOX) of `count` small messages. */
export function bigFolderCorpus(count) {
  return Array.from({ length: count }, (_, i) => plainMessage(i));
}

/** Opens a WireStore on a harness user. */
export function openStore(server, user) {
  return WireStore.connect(endpointOf(server, user));
}

/** Loads a corpus into a user's mailbox: folders (parents first), then one MULTIAPPEND stream per folder. */
export async function loadFast(server, user, corpus) {
  const store = await openStore(server, user);
  try {
    const { prefix, delimiter } = store.namespace;
    const byFolder = new Map();
    for (const m of corpus) byFolder.set(m.folder, [...(byFolder.get(m.folder) ?? []), m]);
    const wanted = new Set();
    for (const folder of byFolder.keys()) {
      const segments = folder.split('/');
      for (let depth = 1; depth <= segments.length; depth++) wanted.add(segments.slice(0, depth).join('/'));
    }
    const ordered = [...wanted].sort(
      (a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b),
    );
    for (const folder of ordered) {
      const path = serverFolderPath(folder, prefix, delimiter);
      if (path !== 'INBOX') await store.createFolder(path);
    }
    for (const [folder, messages] of byFolder) {
      const path = serverFolderPath(folder, prefix, delimiter);
      const batch = store.appendBatch(path);
      const answers = [];
      for (const m of messages) {
        const pending = await batch.append({ body: [m.raw], flags: m.flags, internalDate: m.internalDate });
        answers.push(pending.uid);
      }
      await batch.end();
      await Promise.all(answers);
    }
  } finally {
    await store.close();
  }
}

/** A delta's worth of change in INBOX: `add` new messages and the \Flagged flag toggled on `flip` messages. */
export async function changeInbox(server, user, { add, flip, seed }) {
  const store = await openStore(server, user);
  try {
    const status = await store.openFolder('INBOX', false);
    const batch = store.appendBatch('INBOX');
    const answers = [];
    for (let i = 0; i < add; i++) {
      const m = plainMessage(1_000_000 + seed * 1000 + i);
      answers.push((await batch.append({ body: [m.raw], flags: m.flags, internalDate: m.internalDate })).uid);
    }
    await batch.end();
    await Promise.all(answers);
    const uids = [];
    for (let i = 0; i < flip; i++)
      uids.push(1 + ((seed * 7919 + i * 104729) % Math.max(1, status.uidNext - 1)));
    const flags = seed % 2 ? ['\\Flagged', '\\Seen'] : ['\\Seen'];
    await Promise.all([...new Set(uids)].map((uid) => store.setFlags([uid], flags)));
  } finally {
    await store.close();
  }
}
