import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempStatePath, type CliResult } from '../testing/sync-fixture.js';
import { EXIT } from './exit-codes.js';

/** Every file under DIR, read whole (the programme directory, rejects files, the state database and its WAL). */
function everyFile(dir: string): { name: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ name: path, bytes: readFileSync(path) }));
}

/** Asserts that no output and no file under DIR holds any of the passwords, nor any ;- or ,-separated piece of one. */
function assertNowhere(passwords: string[], outputs: string[], dir: string): void {
  const pieces = passwords.flatMap((p) => [p, ...p.split(/[;,"]/).filter((s) => s.length >= 4)]);
  const files = everyFile(dir);
  for (const piece of pieces) {
    for (const text of outputs)
      assert.ok(!text.includes(piece), `'${piece}' printed in: ${text.slice(0, 400)}`);
    for (const file of files) assert.ok(!file.bytes.includes(piece), `'${piece}' written to ${file.name}`);
  }
}

async function hostileProgramme(): Promise<{
  dir: string;
  run: (args: string[]) => Promise<CliResult>;
  outputs: string[];
}> {
  const dir = join(tempStatePath().replace(/\/state\.sqlite$/, ''), 'hostile');
  const outputs: string[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await runCli([...args, '--programme', dir], { TRANCHE_LOG_LEVEL: 'trace' });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  assert.equal((await runCli(['init', dir])).status, EXIT.ok);
  assert.equal((await run(['endpoint', 'add', 'src', '--url', 'imaps://127.0.0.1'])).status, EXIT.ok);
  assert.equal((await run(['endpoint', 'add', 'tgt', '--url', 'imaps://localhost'])).status, EXIT.ok);
  return { dir, run, outputs };
}

test('a hostile imapsync list: a ; inside a password shifts the fields, yet no piece of a password is printed or written', async () => {
  const { dir, run, outputs } = await hostileProgramme();
  // Each row is shaped so that a piece of a password lands in a column that is not a password's.
  const passwords = [
    'Src9;Pass7',
    'Tgt-Secret-Pw',
    'Half1;Half2',
    'Lone;Piece;Wolf',
    'Quo7e"Inside',
    'fine-pw-2',
    'ok-pw-1',
  ];
  const list = join(dir, '..', 'bulk.txt');
  writeFileSync(
    list,
    [
      `127.0.0.1;erin;fine-pw-2;localhost;erin@a.nhs.uk;fine-pw-3`,
      `127.0.0.1;alice;Src9;Pass7;localhost;alice@a.nhs.uk;Tgt-Secret-Pw`,
      `127.0.0.1;bob;Half1;Half2;localhost;bob@a.nhs.uk`,
      `127.0.0.1;carol;Lone;Piece;Wolf;localhost;carol@a.nhs.uk;x`,
      `127.0.0.1;dave;Quo7e"Inside;localhost;dave@a.nhs.uk;ok-pw-1`,
    ].join('\n'),
  );
  const stopped = await run(['import', 'mailboxes', list]);
  assert.equal(stopped.status, EXIT.usage, stopped.stderr);
  assert.match(stopped.stderr, /line 2, column '[a-z0-9]+'/);
  const rejects = join(dir, 'rejects.csv');
  const skipped = await run(['import', 'mailboxes', list, '--skip-invalid', rejects, '--json']);
  assert.equal(skipped.status, 1, skipped.stderr);
  const report = JSON.parse(skipped.stdout) as { rows: number; inserted: number; rejected: number };
  assert.deepEqual([report.rows, report.rejected], [5, 3]);
  const text = readFileSync(rejects, 'utf8');
  for (const line of [2, 3, 4]) assert.match(text, new RegExp(`^"?${line}"?,`, 'm'));
  // Nothing else of the run: status and the plan export see the imported rows only.
  await run(['status']);
  const plan = join(dir, 'plan.csv');
  await run(['plan', '--export', plan]);
  assertNowhere(passwords, outputs, dir);
});

test("a hostile tranche CSV: a quote inside an unquoted password is exit 64 with line and column, no value shown, and a shifted row's pieces are nowhere", async () => {
  const { dir, run, outputs } = await hostileProgramme();
  const header =
    'address,source_endpoint,source_user,source_password,target_endpoint,target_user,target_password';
  const quoted = join(dir, '..', 'quoted.csv');
  writeFileSync(quoted, `${header}\na@a.nhs.uk,src,a,Sup3rS"ecretPw,tgt,a,\n`);
  const quote = await run(['import', 'mailboxes', quoted]);
  assert.equal(quote.status, EXIT.usage, quote.stderr);
  assert.match(quote.stderr, /line 2, column 'source_password'/);
  const rejects = join(dir, 'rejects.csv');
  const shifted = join(dir, '..', 'shifted.csv');
  // A ',' inside an unquoted password: one row a field too long, another (missing its last field) of the right length.
  writeFileSync(
    shifted,
    [
      header,
      `b@a.nhs.uk,src,b,Comm4,Split-Pw,tgt,b,`,
      `c@a.nhs.uk,src,c,Oth3r,Half-Pw,tgt,c`,
      `d@a.nhs.uk,src,d,good-pw-4,tgt,d,good-pw-5`,
    ].join('\n'),
  );
  const stopped = await run(['import', 'mailboxes', shifted]);
  assert.equal(stopped.status, EXIT.usage, stopped.stderr);
  const skipped = await run(['import', 'mailboxes', shifted, '--skip-invalid', rejects, '--json']);
  assert.equal(skipped.status, 1, skipped.stderr);
  assert.deepEqual(
    (JSON.parse(skipped.stdout) as { inserted: number; rejected: number }).rejected,
    2,
    skipped.stdout,
  );
  assertNowhere(
    ['Sup3rS"ecretPw', 'Comm4,Split-Pw', 'Oth3r,Half-Pw', 'good-pw-4', 'good-pw-5'],
    outputs,
    dir,
  );
});
