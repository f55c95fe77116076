import { analyzeEmail } from '@hapi/address';

/** The longest address tranche takes (RFC 5321's limit on a path, less its angle brackets). */
export const MAX_ADDRESS_LENGTH = 254;

/** Scripts whose letters pass for Latin ones: an address mixing them with Latin is refused (UTS 39, "single script"). */
const LOOK_ALIKE_SCRIPTS = [
  /\p{Script=Latin}/u,
  /\p{Script=Cyrillic}/u,
  /\p{Script=Greek}/u,
  /\p{Script=Armenian}/u,
];

/** A checked address, or why it is not one (never quoting the text: it may be a shifted password). */
export type CheckedAddress = { address: string } | { problem: string };

function mixesScripts(part: string): boolean {
  return LOOK_ALIKE_SCRIPTS.filter((script) => script.test(part)).length > 1;
}

/**
 * Checks one mail address as an import gives it: a bare address (no display name, no angle
 * brackets, no HTML), at most 254 characters, valid UTF-8, NFC-normalised, no compatibility forms
 * (fullwidth letters) and no label mixing Latin with look-alike letters; then parsed by
 * @hapi/address (RFC 5321 with RFC 6531's UTF-8). Returned lower-cased, as tranche keys mailboxes.
 */
export function checkMailAddress(text: string): CheckedAddress {
  if (text.includes('\uFFFD')) return { problem: 'is not valid UTF-8' };
  if (text.length > MAX_ADDRESS_LENGTH) return { problem: `is longer than ${MAX_ADDRESS_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) return { problem: 'holds a control character' };
  if (/[<>]/.test(text))
    return { problem: 'holds angle brackets (give the bare address, without a name or HTML)' };
  const address = text.normalize('NFC').toLowerCase();
  if (address.normalize('NFKC') !== address)
    return { problem: 'holds compatibility characters (fullwidth or styled letters)' };
  const analysis = analyzeEmail(address, { minDomainSegments: 2 });
  if (analysis) return { problem: `is not an e-mail address (${analysis.error.toLowerCase()})` };
  if (address.split(/[@.]/).some(mixesScripts))
    return { problem: 'mixes Latin letters with look-alike letters of another script' };
  return { address };
}
