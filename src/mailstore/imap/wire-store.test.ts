import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TrancheError } from '../../errors/tranche-error.js';
import { startDovecot, type DovecotServer } from '../../testing/dovecot.js';
import { endpointOf } from '../../testing/sync-fixture.js';
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
