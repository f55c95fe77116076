import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS } from './command-table.js';

test('every lazily loaded command has the name and description the top-level help shows for it', async () => {
  assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name(), entry.name);
    assert.equal(command.description(), entry.description, `description of ${entry.name}`);
  }
});
