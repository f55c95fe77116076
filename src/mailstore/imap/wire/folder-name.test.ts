import assert from 'node:assert/strict';
import { test } from 'node:test';
import iconv from 'iconv-lite';
import { decodeFolderName, encodeFolderName } from './folder-name.js';

/** A seeded string of ASCII, Latin, CJK, emoji (surrogate pairs), '&' and control characters. */
function randomName(seed: number): string {
  const pool = [
    'a',
    'Z',
    ' ',
    '&',
    '-',
    '/',
    '.',
    'é',
    'ß',
    'Ж',
    '日本',
    '語',
    '😀',
    '\t',
    '\u007f',
    '&-',
    '+',
    ',',
  ];
  let x = seed;
  let out = '';
  const length = 1 + (seed % 9);
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += pool[x % pool.length];
  }
  return out;
}

test('modified UTF-7 is written and read as iconv-lite does it, for 2,000 seeded names', () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const name = randomName(seed);
    // iconv-lite only where the name needs encoding: printable ASCII without '&' stands as it is.
    // eslint-disable-next-line no-control-regex -- the characters that need encoding
    const needs = /[&\u0000-\u001f\u007f-\uffff]/.test(name);
    const expected = needs ? iconv.encode(name, 'utf-7-imap').toString('latin1') : name;
    assert.equal(encodeFolderName(name), expected, JSON.stringify(name));
    assert.equal(decodeFolderName(expected), name, expected);
    assert.equal(iconv.decode(Buffer.from(expected, 'latin1'), 'utf-7-imap'), name);
  }
});

test('a malformed shift is kept as it came', () => {
  assert.equal(decodeFolderName('a&A-b'), 'a&A-b');
  assert.equal(decodeFolderName('x&-y'), 'x&y');
  assert.equal(decodeFolderName('no end &AOk'), 'no end &AOk');
});
