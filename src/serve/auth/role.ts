/**
 * Who a token is for. admin: everything; org-admin: everything, restricted to its organisations;
 * helpdesk: the lookup of one mailbox only; metrics: the Prometheus scrape only.
 */
export type Role = 'admin' | 'org-admin' | 'helpdesk' | 'metrics';

/** Every role, in the order help and docs list them. */
export const ROLES: readonly Role[] = ['admin', 'org-admin', 'helpdesk', 'metrics'];

/** The parts of `tranche serve` a role may be let into. */
export type Area = 'overview' | 'calendar' | 'organisations' | 'failures' | 'lookup' | 'exports' | 'metrics';

const AREAS: Record<Role, readonly Area[]> = {
  admin: ['overview', 'calendar', 'organisations', 'failures', 'lookup', 'exports', 'metrics'],
  'org-admin': ['overview', 'calendar', 'organisations', 'failures', 'lookup', 'exports'],
  helpdesk: ['lookup'],
  metrics: ['metrics'],
};

/** Whether TEXT names a role. */
export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

/** The areas ROLE may enter. */
export function areasOf(role: Role): readonly Area[] {
  return AREAS[role];
}
