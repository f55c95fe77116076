import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { DEFAULT_LIMITS, Endpoints } from '../../programme/endpoints/endpoints.js';
import { storeBackends } from '../../testing/store-backends.js';
import { readAudit } from '../audit/read-audit.js';
import { openStateStore } from '../open-state-store.js';
import type { Database } from '../schema.js';
import { legacyPreviousKeyFile } from './key-files.js';
import {
  loadKeyring,
  nextKeyFile,
  retiredKeyFile,
  rotateSecretKey,
  ROTATION_STEPS,
  type RotationStep,
} from './rotate-secret-key.js';
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
const NAMES = ['a', 'b', 'c'];
const noEnv = { env: {}, settleMs: 0 };

/** A store with three sealed admin passwords under a fresh key file. */
async function sealedStore(location: string): Promise<{ db: Kysely<Database>; keyFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-rotate-'));
  const keyFile = join(dir, 'secret.key');
  writeSecretKey(keyFile, generateSecretKey());
  const db = await openStateStore(location);
  for (const name of NAMES)
    await new Endpoints(db, loadKeyring(keyFile, {})).add(endpoint(name, `pw-${name}`));
  return { db, keyFile };
}

/** Every secret opens with BOX. */
async function allOpen(db: Kysely<Database>, box: SecretBox, where: string): Promise<void> {
  const endpoints = new Endpoints(db, box);
  for (const name of NAMES) assert.equal(await endpoints.adminPassword(name), `pw-${name}`, where);
}

class Interrupted extends Error {}

for (const [backend, location] of storeBackends()) {
  describe(`secret key rotation on ${backend}`, () => {
    test('re-seals every secret; the old key no longer opens them; each retired key kept in its own file', async () => {
      const { db, keyFile } = await sealedStore(await location());
      try {
        const first = loadSecretKey(keyFile, {});
        const result = await rotateSecretKey(db, keyFile, noEnv);
        assert.equal(result.from, first.id);
        assert.equal(result.resealed, 3);
        assert.equal(result.retiredFile, retiredKeyFile(keyFile, first.id));
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
        assert.equal(statSync(result.retiredFile).mode & 0o777, 0o600);
        assert.ok(!existsSync(nextKeyFile(keyFile)));
        const second = loadSecretKey(keyFile, {});
        assert.equal(second.id, result.to);
        await allOpen(db, new SecretBox(second), 'the new key alone');
        await assert.rejects(new Endpoints(db, new SecretBox(first)).adminPassword('a'), /sealed with key/);

        // A second rotation keeps the first retired key: the original is still on disk.
        const again = await rotateSecretKey(db, keyFile, noEnv);
        assert.equal(again.from, second.id);
        assert.equal(loadSecretKey(retiredKeyFile(keyFile, first.id), {}).id, first.id);
        assert.equal(loadSecretKey(retiredKeyFile(keyFile, second.id), {}).id, second.id);
        await allOpen(db, new SecretBox(loadSecretKey(keyFile, {})), 'the newest key alone');

        await assert.rejects(
          rotateSecretKey(db, keyFile, { env: { TRANCHE_SECRET_KEY: first.bytes.toString('hex') } }),
          /TRANCHE_SECRET_KEY/,
        );
      } finally {
        await db.destroy();
      }
    });

    for (const stop of ROTATION_STEPS) {
      test(`interrupted at '${stop}': every secret opens, for a new process and a running one, and a re-run finishes`, async () => {
        const { db, keyFile } = await sealedStore(await location());
        try {
          const original = loadSecretKey(keyFile, {});
          // A process started before the rotation (a runner): it must follow the change.
          const running = loadKeyring(keyFile, {});
          await allOpen(db, running, 'before');
          const seen: RotationStep[] = [];
          await assert.rejects(
            rotateSecretKey(db, keyFile, {
              ...noEnv,
              step: (s) => {
                seen.push(s);
                if (s === stop) throw new Interrupted(s);
              },
            }),
            Interrupted,
          );
          assert.equal(seen.at(-1), stop);
          assert.ok(existsSync(keyFile), 'the key file is there at every step');
          await allOpen(db, loadKeyring(keyFile, {}), `a new process after '${stop}'`);
          await allOpen(db, running, `the running process after '${stop}'`);

          const finished = await rotateSecretKey(db, keyFile, noEnv);
          assert.ok(!existsSync(nextKeyFile(keyFile)));
          const key = loadSecretKey(keyFile, {});
          assert.equal(key.id, finished.to);
          assert.notEqual(key.id, original.id);
          await allOpen(db, new SecretBox(key), `the new key alone, after '${stop}' and a re-run`);
          await allOpen(db, running, `the running process, after '${stop}' and a re-run`);
          assert.equal(loadSecretKey(retiredKeyFile(keyFile, original.id), {}).id, original.id);
          // A process that seals after the rotation seals with the new key.
          assert.match(running.seal('x'), new RegExp(`^v1:${key.id}:`));
        } finally {
          await db.destroy();
        }
      });
    }

    test('the audit entry is written in the re-sealing transaction: both or neither; a re-run and a sweep add their own', async () => {
      const { db, keyFile } = await sealedStore(await location());
      const rotations = async () =>
        (await readAudit(db, { subject: 'secret key', limit: 10 }))
          .filter((e) => e.action === 'secrets.rotate')
          .reverse()
          .map((e) => [e.actor, e.after]);
      const sealedWith = async () =>
        (await db.selectFrom('endpoint').select('admin_secret').orderBy('name').execute()).map(
          (r) => r.admin_secret?.split(':')[1],
        );
      try {
        const original = loadSecretKey(keyFile, {});
        const stopAt = (stop: RotationStep) => ({
          ...noEnv,
          actor: 'ops-1',
          step: (s: RotationStep) => {
            if (s === stop) throw new Interrupted(s);
          },
        });
        // Stopped inside the transaction, before it commits: no change, and no entry.
        await assert.rejects(rotateSecretKey(db, keyFile, stopAt('resealing')), Interrupted);
        assert.deepEqual(await rotations(), []);
        assert.deepEqual(await sealedWith(), [original.id, original.id, original.id]);

        // Stopped after it commits: the change and its entry are there together.
        await assert.rejects(rotateSecretKey(db, keyFile, stopAt('resealed')), Interrupted);
        const next = loadSecretKey(nextKeyFile(keyFile), {});
        assert.deepEqual(await sealedWith(), [next.id, next.id, next.id]);
        const resealed = { from: original.id, to: next.id, resealed: 3, resumed: true };
        assert.deepEqual(await rotations(), [['ops-1', resealed]]);

        // The re-run finishes it with an entry of its own; a value sealed with the old key after
        // the re-sealing (a process that had not yet seen the new key) is swept, and recorded.
        await rotateSecretKey(db, keyFile, {
          ...noEnv,
          actor: 'ops-2',
          step: async (s) => {
            if (s === 'previous-kept')
              await new Endpoints(db, new SecretBox(original)).add(endpoint('late', 'pw-late'));
          },
        });
        assert.deepEqual(await rotations(), [
          ['ops-1', resealed],
          ['ops-2', { ...resealed, resealed: 0 }],
          ['ops-2', { to: next.id, resealed: 1, sweep: true }],
        ]);
        assert.deepEqual(await sealedWith(), [next.id, next.id, next.id, next.id]);
      } finally {
        await db.destroy();
      }
    });

    test('a rotation of an older tranche stopped between its two renames (no key file) is finished', async () => {
      const { db, keyFile } = await sealedStore(await location());
      try {
        const original = loadSecretKey(keyFile, {});
        // That tranche wrote KEY.next, re-sealed, renamed KEY to KEY.previous and was killed.
        await assert.rejects(
          rotateSecretKey(db, keyFile, {
            ...noEnv,
            step: (s) => {
              if (s === 'resealed') throw new Interrupted(s);
            },
          }),
          Interrupted,
        );
        renameSync(keyFile, legacyPreviousKeyFile(keyFile));
        assert.ok(!existsSync(keyFile));
        await allOpen(db, loadKeyring(keyFile, {}), 'read from KEY.next and the retired keys');
        await rotateSecretKey(db, keyFile, noEnv);
        assert.ok(existsSync(keyFile) && !existsSync(nextKeyFile(keyFile)));
        await allOpen(db, new SecretBox(loadSecretKey(keyFile, {})), 'the key file alone');
        assert.equal(loadSecretKey(retiredKeyFile(keyFile, original.id), {}).id, original.id);
      } finally {
        await db.destroy();
      }
    });
  });
}
