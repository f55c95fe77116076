// Calendar days as the programme writes them (YYYY-MM-DD, UTC) and moments on them.

const DAY_MS = 86_400_000;

/** The moment DAY at HH:MM (UTC). */
export function atTime(day: string, time: string): Date {
  return new Date(`${day}T${time}:00.000Z`);
}

/** The ISO date (UTC) of a moment. */
export function dayOf(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** Whether TEXT is a real calendar date written YYYY-MM-DD (2027-02-30 is not). */
export function isIsoDay(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    !Number.isNaN(Date.parse(`${text}T00:00:00.000Z`)) &&
    addDays(text, 0) === text
  );
}

/** DAY moved by N days. */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS));
}
