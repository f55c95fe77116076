import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqlite } from './open-sqlite.js';

const opener = fileURLToPath(new URL('./open-sqlite.js', import.meta.url));

/** Opens FILE in a separate process and closes it; resolves with its exit code and stderr. */
function openElsewhere(file: string): Promise<{ code: number | null; stderr: string }> {
  const script = `const { openSqlite } = await import(${JSON.stringify(opener)}); await (await openSqlite(${JSON.stringify(file)})).destroy();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('processes opening one new state file at once all succeed: the schema is made once, in one transaction', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-open-'));
  for (let round = 0; round < 4; round++) {
    const file = join(dir, `state-${round}.sqlite`);
    const results = await Promise.all([openElsewhere(file), openElsewhere(file), openElsewhere(file)]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const db = await openSqlite(file);
    try {
      const names = await db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      assert.equal(
        new Set(names.map((n) => (n as { name: string }).name)).size,
        names.length,
        'no migration recorded twice',
      );
    } finally {
      await db.destroy();
    }
  }
});
