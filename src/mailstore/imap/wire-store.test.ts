import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TrancheError } from '../../errors/tranche-error.js';
import { startDovecot, type DovecotServer } from '../../testing/dovecot.js';
import { endpointOf, rawClient } from '../../testing/sync-fixture.js';
import { startRefusingFront } from '../../testing/refusing-front.js';
import { onProxyLines } from '../../testing/proxy-lines.js';
import { startTcpProxy } from '../../testing/tcp-proxy.js';
import { WireStore } from './wire-store.js';

let server: DovecotServer;
before(async () => {
  server = await startDovecot();
});
after(async () => {
  await server?.stop();
});

// Before the fix this command waited forever; the timeout turns a hang into a failure.
test(
  'a command on a connection the server has closed fails as a lost connection, never hangs',
  { timeout: 20_000 },
  async () => {
    const user = await server.addUser();
    const store = await WireStore.connect(endpointOf(server, user));
    try {
      await store.openFolder('INBOX', true);
      // Idle between commands when the server throws the user out: nothing is in flight to fail.
      await server.kick(user.user);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(
        store.openFolder('INBOX', true),
        (e: unknown) => e instanceof TrancheError && e.type === 'connection-lost' && e.retryable,
      );
    } finally {
      await store.close();
    }
  },
);

test('a folder list asked with counts carries each folder’s message count where LIST-STATUS is offered, in one round trip', async () => {
  const bare = await startDovecot({ listStatus: false });
  try {
    for (const [dovecot, counted] of [
      [server, true],
      [bare, false],
    ] as const) {
      const user = await dovecot.addUser();
      const client = await rawClient(dovecot, user);
      const raw = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`);
      try {
        await client.mailboxCreate('Family & Friends/Résumé');
        for (let i = 0; i < 3; i++) await client.append('Family & Friends/Résumé', raw(i));
        await client.append('INBOX', raw(9));
      } finally {
        await client.logout();
      }
      const store = await WireStore.connect(endpointOf(dovecot, user));
      try {
        const listed = await store.listFolders({ counts: true });
        const counts = Object.fromEntries(listed.map((f) => [f.path, f.messages]));
        if (counted) {
          assert.equal(counts['Family & Friends/Résumé'], 3);
          assert.equal(counts.INBOX, 1);
          assert.equal(counts.Sent, 0);
          // With the counts, what a SELECT would say of UIDs and changes.
          const inbox = listed.find((f) => f.path === 'INBOX')!;
          const opened = await store.openFolder('INBOX', true);
          assert.equal(inbox.uidNext, opened.uidNext);
          assert.equal(inbox.uidValidity, opened.uidValidity);
          assert.equal(inbox.highestModseq, opened.highestModseq);
          assert.notEqual(inbox.highestModseq, undefined);
        } else
          assert.ok(
            Object.values(counts).every((n) => n === undefined),
            JSON.stringify(counts),
          );
        // Without the option no counts are asked for (a target's list needs none).
        assert.ok((await store.listFolders()).every((f) => f.messages === undefined));
      } finally {
        await store.close();
      }
    }
  } finally {
    await bare.stop();
  }
});

test('folder counts without LIST-STATUS: one STATUS per folder, all sent before the first answer; what a SELECT says; a missing folder left out', async () => {
  const bare = await startDovecot({ listStatus: false });
  const proxy = await startTcpProxy('127.0.0.1', bare.port);
  try {
    const user = await bare.addUser();
    const client = await rawClient(bare, user);
    try {
      await client.mailboxCreate('Family & Friends/Résumé');
      for (let i = 0; i < 3; i++)
        await client.append('Family & Friends/Résumé', Buffer.from(`Subject: ${i}\r\n\r\nbody\r\n`));
    } finally {
      await client.logout();
    }
    // What went up and down, in order: STATUS commands, and the tagged answers to them.
    const events: string[] = [];
    let asking = false;
    onProxyLines(proxy, 'up', (line) => {
      if (asking && /^T\d+ STATUS /.test(line)) events.push('STATUS');
    });
    onProxyLines(proxy, 'down', (line) => {
      if (asking && /^T\d+ (OK|NO|BAD)/.test(line)) events.push('answer');
    });
    const store = await WireStore.connect(endpointOf(proxy, user));
    try {
      asking = true;
      const counts = await store.folderCounts(['INBOX', 'Family & Friends/Résumé', 'Gone']);
      asking = false;
      assert.deepEqual(events, ['STATUS', 'STATUS', 'STATUS', 'answer', 'answer', 'answer']);
      assert.deepEqual(
        [...counts.keys()],
        ['INBOX', 'Family & Friends/Résumé'],
        'the missing folder left out',
      );
      for (const [path, listed] of counts) {
        const opened = await store.openFolder(path, true);
        assert.deepEqual(listed, {
          messages: opened.messages,
          uidNext: opened.uidNext,
          uidValidity: opened.uidValidity,
          highestModseq: opened.highestModseq,
        });
      }
      assert.equal(counts.get('Family & Friends/Résumé')?.messages, 3);
      assert.notEqual(counts.get('INBOX')?.highestModseq, undefined);
    } finally {
      await store.close();
    }
  } finally {
    await proxy.close();
    await bare.stop();
  }
});

for (const method of ['folderCounts', 'folderSizes'] as const) {
  test(`${method} of 150 folders: 64 STATUS commands in flight at most, the window used, every folder answered`, async () => {
    const proxy = await startTcpProxy('127.0.0.1', server.port);
    try {
      const user = await server.addUser();
      const paths = Array.from({ length: 150 }, (_, i) => `Label ${i}`);
      const client = await rawClient(server, user);
      try {
        for (const path of paths) await client.mailboxCreate(path);
        await client.append('Label 149', Buffer.from('Subject: last\r\n\r\nbody\r\n'));
      } finally {
        await client.logout();
      }
      let outstanding = 0;
      let most = 0;
      let asked = 0;
      onProxyLines(proxy, 'up', (line) => {
        if (!/^T\d+ STATUS /.test(line)) return;
        asked++;
        most = Math.max(most, ++outstanding);
      });
      onProxyLines(proxy, 'down', (line) => {
        if (/^T\d+ (OK|NO|BAD) /.test(line) && outstanding > 0) outstanding--;
      });
      const store = await WireStore.connect(endpointOf(proxy, user));
      try {
        const counts = await store[method](paths);
        assert.equal(asked, 150);
        assert.equal(most, 64, 'at most 64 at once, and the window filled');
        assert.deepEqual([...counts.keys()].sort(), [...paths].sort());
        assert.equal(counts.get('Label 149')?.messages, 1);
        assert.equal(counts.get('Label 0')?.messages, 0);
      } finally {
        await store.close();
      }
    } finally {
      await proxy.close();
    }
  });
}

test("a folder named like STATUS items: its count and size are the answer's, not read from its name", async () => {
  const user = await server.addUser();
  const name = 'SIZE 99 MESSAGES 7';
  const bodies = [0, 1].map((i) => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
  const client = await rawClient(server, user);
  try {
    await client.mailboxCreate(name);
    for (const b of bodies) await client.append(name, b);
  } finally {
    await client.logout();
  }
  const store = await WireStore.connect(endpointOf(server, user));
  try {
    assert.deepEqual(
      await store.folderSizes([name]),
      new Map([
        [
          name,
          {
            messages: 2,
            bytes: bodies.reduce((n, b) => n + b.length, 0),
          },
        ],
      ]),
    );
    await assert.rejects(store.folderSizes([name, 'No such folder']), (error: TrancheError) => {
      assert.equal(error.type, 'server');
      assert.match(error.message, /^STATUS No such folder: /);
      return true;
    });
  } finally {
    await store.close();
  }
});

// A scripted front: no real server here offers LIST-STATUS and then refuses it.
test('a server that offers LIST-STATUS but refuses it: the folders are listed without counts, the session goes on', async () => {
  const user = await server.addUser();
  const front = await startRefusingFront('127.0.0.1', server.port, {
    command: /^LIST "" "\*" RETURN \(.*STATUS/i,
    refuse: [1],
    reply: 'BAD Error in IMAP command LIST: Unknown RETURN option',
  });
  const store = await WireStore.connect(endpointOf(front, user));
  try {
    const folders = await store.listFolders({ counts: true });
    assert.equal(front.refused, 1);
    assert.ok(
      folders.some((f) => f.path === 'INBOX'),
      JSON.stringify(folders),
    );
    assert.ok(folders.every((f) => f.messages === undefined));
    assert.equal((await store.openFolder('INBOX', true)).messages, 0);
  } finally {
    await store.close();
    await front.close();
  }
});
