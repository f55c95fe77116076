import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TrancheError } from '../../errors/tranche-error.js';
import { SecretBox } from './secret-box.js';
import { generateSecretKey, loadSecretKey, writeSecretKey } from './secret-key.js';

const secret = 'correct horse battery staple — ünïcode & "quotes"';

test('sealed secrets open with the same key, never contain the secret, and differ each time', () => {
  const box = new SecretBox(generateSecretKey());
  const a = box.seal(secret);
  const b = box.seal(secret);
  assert.notEqual(a, b);
  assert.ok(
    !a.includes('horse') && !Buffer.from(a.split(':')[2]!, 'base64').toString('latin1').includes('horse'),
  );
  assert.match(a, new RegExp(`^v1:${box.keyId}:`));
  assert.equal(box.open(a), secret);
  assert.equal(box.open(box.seal('')), '');
});

test('another key, an altered value or an unknown format is a clear error without the secret', () => {
  const sealed = new SecretBox(generateSecretKey()).seal(secret);
  const other = new SecretBox(generateSecretKey());
  assert.throws(
    () => other.open(sealed),
    (e: unknown) => e instanceof TrancheError && /sealed with key/.test(e.message),
  );
  const box = new SecretBox(generateSecretKey());
  const good = box.seal(secret);
  const raw = Buffer.from(good.split(':')[2]!, 'base64');
  raw[raw.length - 1]! ^= 1;
  const altered = `v1:${box.keyId}:${raw.toString('base64')}`;
  assert.throws(
    () => box.open(altered),
    (e: unknown) => e instanceof TrancheError && /altered/.test(e.message),
  );
  assert.throws(
    () => box.open('plaintext-password'),
    (e: unknown) => e instanceof TrancheError && !e.message.includes('plaintext-password'),
  );
});

test('key files: written 0600, loaded back, refused when others may read them; the environment wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-key-'));
  const file = join(dir, 'secret.key');
  const key = generateSecretKey();
  writeSecretKey(file, key);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(loadSecretKey(file, {}).id, key.id);
  chmodSync(file, 0o644);
  assert.throws(() => loadSecretKey(file, {}), /chmod 600/);
  const fromEnv = generateSecretKey();
  assert.equal(loadSecretKey(file, { TRANCHE_SECRET_KEY: fromEnv.bytes.toString('hex') }).id, fromEnv.id);
  assert.throws(() => loadSecretKey(join(dir, 'missing'), {}), /TRANCHE_SECRET_KEY/);
  writeFileSync(join(dir, 'short'), 'abc', { mode: 0o600 });
  assert.throws(() => loadSecretKey(join(dir, 'short'), {}), /32 bytes/);
});
