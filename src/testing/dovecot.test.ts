// Proves the test harness itself: the Dovecot instance, the corpus generator and loader, and the snapshot checker.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { ImapFlowOptions } from 'imapflow';
import { generateCorpus, loadCorpus, serverFolderPath, type CorpusMessage } from './corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from './dovecot.js';
import { diffSnapshots, snapshotMailbox, type Snapshot } from './snapshot.js';

/** The snapshot a corpus should produce, keyed by corpus folder. */
function expectedSnapshot(corpus: CorpusMessage[]): Snapshot {
  const snapshot: Snapshot = new Map();
  for (const m of corpus) {
    const list = snapshot.get(m.folder) ?? [];
    list.push({
      sha256: createHash('sha256').update(m.raw).digest('hex'),
      flags: [...m.flags].sort(),
      internalDate: m.internalDate.toISOString(),
    });
    snapshot.set(m.folder, list);
  }
  for (const list of snapshot.values()) {
    list.sort(
      (a, b) =>
        a.sha256.localeCompare(b.sha256) ||
        a.flags.join(' ').localeCompare(b.flags.join(' ')) ||
        a.internalDate.localeCompare(b.internalDate),
    );
  }
  return snapshot;
}

function clientOptions(server: DovecotServer, auth: ImapFlowOptions['auth']): ImapFlowOptions {
  return { host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth, logger: false };
}

/** Logs in and out; resolves to whether the login succeeded. */
async function canLogin(server: DovecotServer, auth: ImapFlowOptions['auth']): Promise<boolean> {
  const client = new ImapFlow(clientOptions(server, auth));
  try {
    await client.connect();
  } catch {
    client.close();
    return false;
  }
  await client.logout();
  return true;
}

describe('corpus generator', () => {
  it('is deterministic and realistic', () => {
    const a = generateCorpus({ seed: 7, messages: 300, bigAttachments: 1 });
    const b = generateCorpus({ seed: 7, messages: 300, bigAttachments: 1 });
    const c = generateCorpus({ seed: 8, messages: 300, bigAttachments: 1 });
    assert.equal(a.length, 300);
    assert.deepEqual(
      a.map((m) => [m.folder, m.raw.toString('base64'), m.flags, m.internalDate.getTime()]),
      b.map((m) => [m.folder, m.raw.toString('base64'), m.flags, m.internalDate.getTime()]),
    );
    assert.notDeepEqual(
      a.map((m) => m.raw.toString('base64')),
      c.map((m) => m.raw.toString('base64')),
    );

    const text = a.map((m) => m.raw.toString('latin1'));
    assert.ok(
      text.every((t) => !/[^\r]\n/.test(t) && !/\r[^\n]/.test(t)),
      'CRLF line endings only',
    );
    assert.ok(
      text.some((t) => !/^Message-ID:/im.test(t.split('\r\n\r\n')[0] ?? '')),
      'some without Message-ID',
    );
    assert.ok(
      text.some((t) => t.includes('Content-Transfer-Encoding: 8bit')),
      '8-bit bodies',
    );
    assert.ok(
      text.some((t) => /=\?UTF-8\?[BQ]\?/.test(t)),
      'RFC 2047 headers',
    );
    assert.ok(
      a.some((m) => m.raw.some((byte) => byte >= 0x80)),
      'raw 8-bit bytes',
    );
    const sizes = a.map((m) => m.raw.length).sort((x, y) => x - y);
    assert.ok((sizes.at(-1) ?? 0) > 2 * 1024 * 1024, 'one multi-MB message');
    const median = sizes[Math.floor(sizes.length / 2)] ?? 0;
    assert.ok(median > 2000 && median < 60_000, `median size ${median}`);
    const hashes = a.map((m) => `${m.folder}:${createHash('sha256').update(m.raw).digest('hex')}`);
    assert.ok(new Set(hashes).size < hashes.length, 'exact duplicates in the same folder');
    const flags = new Set(a.flatMap((m) => m.flags));
    for (const f of [
      '\\Seen',
      '\\Answered',
      '\\Flagged',
      '\\Draft',
      '\\Deleted',
      '$Forwarded',
      '$Junk',
      'Project_X',
    ]) {
      assert.ok(flags.has(f), `flag ${f}`);
    }
    const years = new Set(a.map((m) => m.internalDate.getUTCFullYear()));
    assert.ok(years.size >= 8, `internal dates over ${years.size} years`);
    const folders = new Set(a.map((m) => m.folder));
    for (const f of [
      'INBOX',
      'Sent',
      'Drafts',
      'Trash',
      'Projects/2024/Résumé & co',
      'Projects/2024/日本語',
      'Clients/Ærø',
    ]) {
      assert.ok(folders.has(f), `folder ${f}`);
    }
  });
});

describe('dovecot harness with a loaded corpus', () => {
  let server: DovecotServer | undefined;
  let user: DovecotUser;
  const corpus = generateCorpus({ seed: 1, messages: 200, bigAttachments: 1 });
  let snapshot: Snapshot;

  before(async () => {
    server = await startDovecot();
    user = await server.addUser('alice');
    await loadCorpus(server, user, corpus);
    snapshot = await snapshotMailbox(server, user);
  });
  after(async () => {
    await server?.stop();
  });

  it('stores every message byte-exact with its flags and internal date', () => {
    const expected = expectedSnapshot(corpus);
    for (const [folder, messages] of expected) {
      assert.equal(snapshot.get(folder)?.length, messages.length, `count in ${folder}`);
    }
    assert.deepEqual(diffSnapshots(expected, snapshot), []);
    assert.ok(snapshot.has('Projects/2024/Résumé & co'));
    assert.ok(snapshot.has('Projects/2024/日本語'));
    assert.ok(snapshot.has('Clients/Ærø'));
    // auto-created special-use folders that got no message are still listed
    assert.ok(snapshot.has('Junk') && snapshot.has('Archive'));
  });

  it('lets the master user in, by SASL PLAIN authzid and by LOGIN user*master', async () => {
    assert.ok(server);
    const viaAuthzid = await snapshotMailbox(
      { host: server.host, port: server.port },
      { user: server.masterUser, authzid: user.user, password: server.masterPassword },
    );
    assert.deepEqual(diffSnapshots(snapshot, viaAuthzid), []);
    assert.equal(
      await canLogin(server, {
        user: `${user.user}*${server.masterUser}`,
        pass: server.masterPassword,
        loginMethod: 'LOGIN',
      }),
      true,
    );
    assert.equal(
      await canLogin(server, { user: server.masterUser, pass: 'wrong', authzid: user.user }),
      false,
    );
  });

  it('disables users and changes passwords', async () => {
    assert.ok(server);
    const bob = await server.addUser();
    assert.equal(await canLogin(server, { user: bob.user, pass: bob.password }), true);
    await server.setPassword(bob.user, 'new pässword: with spaces');
    assert.equal(await canLogin(server, { user: bob.user, pass: bob.password }), false);
    assert.equal(await canLogin(server, { user: bob.user, pass: 'new pässword: with spaces' }), true);
    await server.disableUser(bob.user);
    const client = new ImapFlow(clientOptions(server, { user: bob.user, pass: 'new pässword: with spaces' }));
    await assert.rejects(client.connect(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as { serverResponseCode?: string }).serverResponseCode, 'CONTACTADMIN');
      return true;
    });
    client.close();
  });

  it('diffSnapshots reports missing, extra and changed messages and folders', () => {
    const copy: Snapshot = new Map([...snapshot].map(([f, list]) => [f, list.map((m) => ({ ...m }))]));
    const inbox = copy.get('INBOX');
    assert.ok(inbox && inbox.length > 3);
    const first = inbox[0];
    assert.ok(first);
    first.flags = [...first.flags, '$Extra'].sort();
    inbox.splice(1, 1);
    copy.delete('Sent');
    copy.set('Stray', [{ sha256: 'ab'.repeat(32), flags: [], internalDate: '2020-01-01T00:00:00.000Z' }]);
    const differences = diffSnapshots(snapshot, copy);
    assert.ok(
      differences.some((d) => d.startsWith('Sent: folder missing in target')),
      differences.join('\n'),
    );
    assert.ok(differences.some((d) => d.startsWith('Stray: folder only in target')));
    assert.ok(differences.some((d) => d.startsWith('INBOX: message') && d.includes('$Extra')));
    assert.ok(differences.some((d) => d.startsWith('INBOX: message missing in target')));
    // a renaming map: every source folder lands under a prefix
    const renamed: Snapshot = new Map([...snapshot].map(([f, list]) => [`X/${f}`, list]));
    assert.deepEqual(
      diffSnapshots(snapshot, renamed, (f) => `X/${f}`),
      [],
    );
  });
});

describe('dovecot server variants', () => {
  const servers: DovecotServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("offers a '.'-delimited namespace with prefix INBOX.", async () => {
    const server = await startDovecot({ delimiter: '.', prefix: 'INBOX.' });
    servers.push(server);
    const user = await server.addUser();
    const corpus = generateCorpus({ seed: 2, messages: 40 });
    await loadCorpus(server, user, corpus);
    const snapshot = await snapshotMailbox({ url: server.url }, user);
    const folders = [...snapshot.keys()];
    for (const f of [
      'INBOX',
      'INBOX.Sent',
      'INBOX.Projects.2024.Résumé & co',
      'INBOX.Clients.Ærø',
      'INBOX.Trash',
    ]) {
      assert.ok(folders.includes(f), `${f} in ${folders.join(', ')}`);
    }
    assert.deepEqual(
      diffSnapshots(expectedSnapshot(corpus), snapshot, (f) => serverFolderPath(f, 'INBOX.', '.')),
      [],
    );
    const client = new ImapFlow(clientOptions(server, { user: user.user, pass: user.password }));
    await client.connect();
    assert.deepEqual(client.namespace, { prefix: 'INBOX.', delimiter: '.' });
    await client.logout();
  });

  it('refuses an APPEND over maxMessageSize and takes a smaller one; can hide CONDSTORE', async () => {
    const server = await startDovecot({ maxMessageSize: 100_000, condstore: false });
    servers.push(server);
    const user = await server.addUser();
    const client = new ImapFlow(clientOptions(server, { user: user.user, pass: user.password }));
    await client.connect();
    try {
      assert.equal(client.capabilities.has('CONDSTORE'), false);
      assert.equal(client.capabilities.has('QRESYNC'), false);
      const message = (size: number): Buffer => {
        const head = `From: a@example.org\r\nSubject: size ${size}\r\n\r\n`;
        return Buffer.from(head + 'x'.repeat(size - head.length - 2) + '\r\n');
      };
      assert.ok(await client.append('INBOX', message(99_000)));
      assert.ok(await client.append('INBOX', message(100_000)), 'exactly the limit is accepted');
      await assert.rejects(client.append('INBOX', message(100_001)), (error: unknown) => {
        assert.equal((error as { serverResponseCode?: string }).serverResponseCode, 'LIMIT');
        return true;
      });
      const status = await client.status('INBOX', { messages: true });
      assert.ok(status);
      assert.equal(status.messages, 2);
    } finally {
      await client.logout();
    }
    const plain = await startDovecot();
    servers.push(plain);
    const other = await plain.addUser();
    const second = new ImapFlow(clientOptions(plain, { user: other.user, pass: other.password }));
    await second.connect();
    assert.equal(second.capabilities.has('CONDSTORE'), true);
    assert.equal(second.capabilities.has('QRESYNC'), true);
    await second.logout();
  });

  it('snapshots skip \\Noselect parents and excluded folders', async () => {
    const server = await startDovecot();
    servers.push(server);
    const user = await server.addUser();
    const client = new ImapFlow(clientOptions(server, { user: user.user, pass: user.password }));
    await client.connect();
    await client.mailboxCreate('Parent/Child');
    await client.append('Parent/Child', Buffer.from('Subject: hi\r\n\r\nbody\r\n'), ['\\Seen', '$Label1']);
    const listed = await client.list();
    assert.ok(listed.find((m) => m.path === 'Parent')?.flags.has('\\Noselect'));
    await client.logout();
    const snapshot = await snapshotMailbox(server, user, { excludeFolders: ['Trash'] });
    assert.equal(snapshot.has('Parent'), false);
    assert.equal(snapshot.has('Trash'), false);
    assert.deepEqual(snapshot.get('Parent/Child')?.[0]?.flags, ['$Label1', '\\Seen']);
    assert.deepEqual(snapshot.get('INBOX'), []);
  });

  it('stop() ends the server and removes its directory', async () => {
    const server = await startDovecot();
    servers.push(server);
    await server.stop();
    await assert.rejects(access(server.dir));
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: server.host, port: server.port });
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    assert.equal(refused, true);
    await server.stop(); // idempotent
  });
});
