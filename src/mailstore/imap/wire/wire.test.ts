import assert from 'node:assert/strict';
import { test } from 'node:test';
import { astring, imapDateTime, parseImapDateTime } from './command.js';
import { decodeFolderName, encodeFolderName } from './folder-name.js';
import {
  parseFetchResponse,
  parseListResponse,
  parseNamespaceResponse,
  parseSelect,
  parseStatusItems,
} from './parse.js';
import { ResponseReader, type RawResponse } from './response-reader.js';
import { Literal, QuotedString, tokenize } from './tokens.js';

const body = Buffer.from('Subject: hi\r\n\r\nbody with {5}\r\n and ) ( " characters\r\n');
const stream = Buffer.concat([
  Buffer.from(
    '* 1 FETCH (UID 7 FLAGS (\\Seen $Forwarded) INTERNALDATE " 2-Mar-2021 10:00:00 +0100" RFC822.SIZE ',
  ),
  Buffer.from(`${body.length} BODY[] {${body.length}}\r\n`),
  body,
  Buffer.from(')\r\n* 2 FETCH (UID 8 BODY[] {0}\r\n)\r\nT1 OK done\r\n'),
]);

function readAll(chunks: Buffer[]): RawResponse[] {
  const reader = new ResponseReader();
  return chunks.flatMap((chunk) => reader.push(chunk));
}

test('responses and literals come out whole whatever the chunking, literal bytes untouched', () => {
  const whole = readAll([stream]);
  const byteByByte = readAll([...stream].map((b) => Buffer.from([b])));
  for (const responses of [whole, byteByByte]) {
    assert.equal(responses.length, 3);
    const first = parseFetchResponse(responses[0]!);
    assert.equal(first?.uid, 7);
    assert.deepEqual(first?.flags, ['\\Seen', '$Forwarded']);
    assert.equal(first?.size, body.length);
    assert.equal(first?.internalDate?.toISOString(), '2021-03-02T09:00:00.000Z');
    assert.ok(first?.body && Buffer.concat(first.body).equals(body));
    assert.deepEqual(parseFetchResponse(responses[1]!)?.body, []);
    assert.equal(responses[2]!.lines[0], 'T1 OK done');
  }
});

test('tokens: nested lists, quoted escapes, NIL versus "NIL", brackets kept in atoms', () => {
  const tokens = tokenize({
    lines: ['* X (a (b "c\\"d") NIL "NIL") [UIDNEXT 5] BODY[] '],
    literals: [[Buffer.from('z')]],
  });
  assert.equal(tokens[0], '*');
  const list = tokens[2] as unknown[];
  assert.equal(list[0], 'a');
  assert.deepEqual((list[1] as unknown[])[1], new QuotedString('c"d'));
  assert.equal(list[2], null);
  assert.deepEqual(list[3], new QuotedString('NIL'));
  assert.equal(tokens[3], '[UIDNEXT 5]');
  assert.equal(tokens[4], 'BODY[]');
  assert.ok(tokens[5] instanceof Literal);
});

test('tokens: what a server may send awry (a quote or bracket left open, a stray parenthesis, nil in any case)', () => {
  const q = (value: string): QuotedString => new QuotedString(value);
  const cases: [string, unknown[]][] = [
    ['"open to the end', [q('open to the end')]],
    ['"a\\"b" "ends in a backslash\\', [q('a"b'), q('ends in a backslash\\')]],
    ['"two words" "" x', [q('two words'), q(''), 'x']],
    ['a) b (c', ['a', 'b', ['c']]],
    ['nil NiL (NIL) NIX NILS', [null, null, [null], 'NIX', 'NILS']],
    ['BODY[HEADER.FIELDS (A B)] [open (x', ['BODY[HEADER.FIELDS (A B)]', '[open (x']],
    ['a"b c', ['a"b', 'c']],
  ];
  for (const [line, tokens] of cases)
    assert.deepEqual(tokenize({ lines: [line], literals: [] }), tokens, line);
  // A literal belongs to the list open where it stands.
  const across = tokenize({ lines: ['(A ', ' B)'], literals: [[Buffer.from('x')]] });
  assert.deepEqual(across, [['A', new Literal([Buffer.from('x')]), 'B']]);
});

test('LIST, NAMESPACE and SELECT responses', () => {
  const list = parseListResponse(
    { lines: ['* LIST (\\HasNoChildren \\Sent) "." "INBOX.Sent Items"'], literals: [] },
    'INBOX.',
    false,
  );
  assert.deepEqual(list, { path: 'INBOX.Sent Items', delimiter: '.', specialUse: '\\Sent', noSelect: false });
  const guessed = parseListResponse({ lines: ['* LIST () "/" "Deleted Items"'], literals: [] }, '', true);
  assert.equal(guessed?.specialUse, '\\Trash');
  const literalName = parseListResponse(
    { lines: ['* LIST (\\Noselect) "/" '], literals: [[Buffer.from('a "b"')]] },
    '',
    false,
  );
  assert.deepEqual(literalName, { path: 'a "b"', delimiter: '/', specialUse: undefined, noSelect: true });
  assert.deepEqual(
    parseNamespaceResponse({ lines: ['* NAMESPACE (("INBOX." ".")) NIL NIL'], literals: [] }),
    {
      prefix: 'INBOX.',
      delimiter: '.',
    },
  );
  const status = parseSelect(
    [
      '* 12 EXISTS',
      '* OK [UIDVALIDITY 3857529045] ok',
      '* OK [UIDNEXT 4392] ok',
      '* OK [HIGHESTMODSEQ 715194045007] ok',
      // Exchange Online's: no \\*, so no keywords of the client's own.
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)] Permanent flags',
    ].map((line) => ({ lines: [line], literals: [] })),
  );
  assert.deepEqual(status, {
    exists: 12,
    uidValidity: 3857529045,
    uidNext: 4392,
    highestModseq: 715194045007n,
    permanentFlags: ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '$MDNSent'],
  });
});

test('STATUS items are read as tokens: a folder named like an item is a name; NIL is no APPENDLIMIT', () => {
  const line = (text: string): RawResponse => ({ lines: [text], literals: [] });
  assert.deepEqual(
    parseStatusItems(
      line('* STATUS "SIZE 99 MESSAGES 7 APPENDLIMIT 5" (MESSAGES 2 SIZE 1234 APPENDLIMIT NIL)'),
    ),
    { path: 'SIZE 99 MESSAGES 7 APPENDLIMIT 5', messages: 2, size: 1234, appendLimit: null },
  );
  assert.deepEqual(
    parseStatusItems(
      line('* STATUS INBOX (UIDNEXT 31 UIDVALIDITY 7 HIGHESTMODSEQ 715194045007 APPENDLIMIT 35882577)'),
    ),
    { path: 'INBOX', uidNext: 31, uidValidity: 7, highestModseq: 715194045007n, appendLimit: 35882577 },
  );
  assert.equal(parseStatusItems(line('* LIST () "/" INBOX')), undefined);
});

test('dates and names round-trip; arguments are quoted only when needed', () => {
  const date = new Date('2019-12-31T23:59:58Z');
  assert.equal(imapDateTime(date), '"31-Dec-2019 23:59:58 +0000"');
  assert.equal(parseImapDateTime('31-Dec-2019 23:59:58 +0000').getTime(), date.getTime());
  assert.equal(parseImapDateTime('17-Jul-1996 02:44:25 -0700').toISOString(), '1996-07-17T09:44:25.000Z');
  // The forms servers send: the usual one, any case of month, a space-padded or single-digit day.
  for (const [sent, utc] of [
    ['06-Dec-2026 10:00:00 +0130', '2026-12-06T08:30:00.000Z'],
    ['06-DEC-2026 10:00:00 +0000', '2026-12-06T10:00:00.000Z'],
    [' 6-dec-2026 10:00:00 -0000', '2026-12-06T10:00:00.000Z'],
    ['6-Dec-2026 10:00:00 +0000', '2026-12-06T10:00:00.000Z'],
  ] as const)
    assert.equal(parseImapDateTime(sent).toISOString(), utc, sent);
  for (const bad of [
    '06-Dec-2026 10:00:00 0000',
    '06-Dec-2026 10-00:00 +0000',
    '06-Xyz-2026 1O:00:00 +0000',
    '',
  ])
    assert.ok(Number.isNaN(parseImapDateTime(bad).getTime()), bad);
  for (const name of ['Résumé & co', '日本語', 'A&B', 'Ærø/Sub', 'plain']) {
    assert.equal(decodeFolderName(encodeFolderName(name)), name);
  }
  assert.equal(encodeFolderName('A&B'), 'A&-B');
  assert.equal(encodeFolderName('Résumé'), 'R&AOk-sum&AOk-');
  // Control characters never go out raw (a Courier folder INBOX.a&AAk-b holds a TAB).
  assert.equal(encodeFolderName('a\tb'), 'a&AAk-b');
  assert.equal(encodeFolderName('x\u007fy'), 'x&AH8-y');
  assert.equal(decodeFolderName('a&AAk-b'), 'a\tb');
  assert.equal(astring('INBOX'), 'INBOX');
  assert.equal(astring('Sent Items'), '"Sent Items"');
  assert.equal(astring('say "hi"'), '"say \\"hi\\""');
  assert.deepEqual(astring('pass\nword'), { literal: [Buffer.from('pass\nword')] });
});
