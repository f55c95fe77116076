import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, Endpoints } from '../../programme/endpoints/endpoints.js';
import { storeBackends } from '../../testing/store-backends.js';
import { openStateStore } from '../open-state-store.js';
import { loadKeyring, nextKeyFile, rotateSecretKey } from './rotate-secret-key.js';
import { SecretBox } from './secret-box.js';
import { generateSecretKey, loadSecretKey, writeSecretKey } from './secret-key.js';

const endpoint = (name: string, adminPassword: string) => ({
  ...DEFAULT_LIMITS,
  name,
  url: 'imaps://mail.example.org',
  insecure: false,
  allowPlaintext: false,
  admin: 'admin',
  loginTemplate: undefined,
  adminPassword,
});

for (const [backend, location] of storeBackends()) {
  describe(`secret key rotation on ${backend}`, () => {
    test('re-seals every secret; the old key no longer opens them; crash points recover', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tranche-rotate-'));
      const keyFile = join(dir, 'secret.key');
      const first = generateSecretKey();
      writeSecretKey(keyFile, first);
      const db = await openStateStore(await location());
      try {
        await new Endpoints(db, loadKeyring(keyFile, {})).add(endpoint('a', 'pw-a'));
        await new Endpoints(db, loadKeyring(keyFile, {})).add(endpoint('b', 'pw-b'));

        const result = await rotateSecretKey(db, keyFile, {});
        assert.equal(result.from, first.id);
        assert.equal(result.resealed, 2);
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
        assert.ok(existsSync(`${keyFile}.previous`) && !existsSync(nextKeyFile(keyFile)));
        const second = loadSecretKey(keyFile, {});
        assert.equal(second.id, result.to);
        assert.equal(await new Endpoints(db, new SecretBox(second)).adminPassword('a'), 'pw-a');
        await assert.rejects(new Endpoints(db, new SecretBox(first)).adminPassword('a'), /sealed with key/);

        // Crash after the re-seal, before the files were swapped: both keys are read, a re-run finishes.
        renameSync(keyFile, nextKeyFile(keyFile));
        renameSync(`${keyFile}.previous`, keyFile);
        assert.equal(await new Endpoints(db, loadKeyring(keyFile, {})).adminPassword('b'), 'pw-b');
        const finished = await rotateSecretKey(db, keyFile, {});
        assert.equal(finished.to, second.id);
        assert.equal(
          await new Endpoints(db, new SecretBox(loadSecretKey(keyFile, {}))).adminPassword('b'),
          'pw-b',
        );

        // Crash after writing the next key, before the re-seal: nothing is lost either.
        writeSecretKey(nextKeyFile(keyFile), generateSecretKey());
        assert.equal(await new Endpoints(db, loadKeyring(keyFile, {})).adminPassword('a'), 'pw-a');
        await rotateSecretKey(db, keyFile, {});
        assert.equal(await new Endpoints(db, loadKeyring(keyFile, {})).adminPassword('a'), 'pw-a');

        await assert.rejects(
          rotateSecretKey(db, keyFile, { TRANCHE_SECRET_KEY: first.bytes.toString('hex') }),
          /TRANCHE_SECRET_KEY/,
        );
      } finally {
        await db.destroy();
      }
    });
  });
}
