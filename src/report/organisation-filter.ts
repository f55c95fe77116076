/** Which organisations a report covers: one code or several (undefined elsewhere: the whole programme). */
export type OrganisationFilter = string | readonly string[];

/**
 * The filter's codes, for `where('organisation', 'in', …)`. An empty list stands for no organisation
 * at all: it becomes the one code no organisation can have (codes are never empty), as SQL has no
 * empty IN list.
 */
export function organisationCodes(filter: OrganisationFilter): readonly string[] {
  if (typeof filter === 'string') return [filter];
  return filter.length === 0 ? [''] : filter;
}

/** The filter as a report names it: the code, or the codes joined by ', '. */
export function organisationLabel(filter: OrganisationFilter): string {
  return typeof filter === 'string' ? filter : filter.join(', ');
}
