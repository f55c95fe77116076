import { TrancheError } from '../errors/tranche-error.js';
import { isIsoDay } from '../programme/calendar/calendar-day.js';

/** A day given on the command line (YYYY-MM-DD, a real date); a usage error naming FLAG otherwise. */
export function parseDayOption(text: string, flag: string): string {
  if (!isIsoDay(text))
    throw new TrancheError('usage', `${flag} must be a date such as 2027-03-04, not '${text}'`);
  return text;
}

/** A moment given on the command line: a date (midnight UTC) or an ISO time such as 2027-03-04T18:00Z. */
export function parseMomentOption(text: string, flag: string): Date {
  const moment = new Date(isIsoDay(text) ? `${text}T00:00:00Z` : text);
  // The date part must be a real date too (JavaScript reads 2027-02-30 as 2 March).
  if (!isIsoDay(text.slice(0, 10)) || Number.isNaN(moment.getTime()))
    throw new TrancheError(
      'usage',
      `${flag} must be an ISO time such as 2027-03-04T18:00Z (or a date), not '${text}'`,
    );
  return moment;
}
