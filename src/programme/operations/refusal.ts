import { TrancheError } from '../../errors/tranche-error.js';

/** The most problems listed in one refusal; the rest are counted. */
const SHOWN = 20;

/** Why an operation changed nothing: every problem found, in one line (all or nothing). */
export class OperationRefused extends TrancheError {
  readonly problems: readonly string[];
  /** The actor may not act on these (a role outside its organisations): 403 in the API. */
  readonly forbidden: boolean;

  constructor(problems: readonly string[], forbidden = false) {
    const shown = problems.slice(0, SHOWN).join('; ');
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : '';
    super('usage', `nothing changed: ${shown}${more}`);
    this.problems = problems;
    this.forbidden = forbidden;
  }
}

/** Throws one refusal for all PROBLEMS, if any. */
export function refuseIf(problems: readonly string[], forbidden = false): void {
  if (problems.length > 0) throw new OperationRefused(problems, forbidden);
}
