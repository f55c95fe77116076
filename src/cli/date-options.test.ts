import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDayOption, parseMomentOption } from './date-options.js';

test('dates and moments on the command line: real dates only, one-line usage errors naming the flag', () => {
  assert.equal(parseDayOption('2028-02-29', '--day'), '2028-02-29');
  assert.equal(parseMomentOption('2027-03-04', '--until').toISOString(), '2027-03-04T00:00:00.000Z');
  assert.equal(parseMomentOption('2027-03-04T18:00Z', '--until').toISOString(), '2027-03-04T18:00:00.000Z');
  for (const bad of ['2027-02-30', '2027-2-3', 'tomorrow', '']) {
    assert.throws(() => parseDayOption(bad, '--today'), /--today must be a date/);
  }
  // JavaScript alone would read 2027-02-30 as 2 March.
  for (const bad of ['2027-02-30', '2027-02-30T10:00Z', 'soon']) {
    assert.throws(() => parseMomentOption(bad, '--clock-start'), /--clock-start must be an ISO time/);
  }
});
