import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG_FILE, configTemplate, loadConfig } from './config.js';

function programme(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-config-'));
  writeFileSync(join(dir, CONFIG_FILE), yaml);
  return dir;
}

test('the template loads; relative paths resolve in the programme directory; TRANCHE_DB wins', () => {
  const dir = programme(configTemplate('NHS mail 2027', undefined));
  const config = loadConfig(dir, {});
  assert.equal(config.name, 'NHS mail 2027');
  assert.equal(config.state, join(dir, 'state.sqlite'));
  assert.equal(config.secretKeyFile, join(dir, 'secret.key'));
  assert.equal(loadConfig(dir, { TRANCHE_DB: 'postgres://db/x' }).state, 'postgres://db/x');
});

test('every error names the file and the field', () => {
  const cases: [string, RegExp][] = [
    ['name: ""\n', /field 'name': must not be empty/],
    ['name: x\nstate: 42\n', /field 'state': .*string/i],
    ['name: x\nstat: typo.sqlite\n', /'stat'/],
    ['state: a.sqlite\n', /field 'name'/],
    ['name: [unclosed\n', /not valid YAML/],
  ];
  for (const [yaml, expected] of cases) {
    const dir = programme(yaml);
    assert.throws(
      () => loadConfig(dir, {}),
      (e: unknown) => e instanceof Error && e.message.includes(CONFIG_FILE) && expected.test(e.message),
      yaml,
    );
  }
  assert.throws(() => loadConfig(mkdtempSync(join(tmpdir(), 'tranche-none-')), {}), /tranche init/);
});
