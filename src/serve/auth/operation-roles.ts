import { OPERATION_ACTIONS, type ProgrammeConfig } from '../../programme/config/config.js';
import type { Role } from './role.js';

/** An action people may take from the dashboard and the API. */
export type OperationAction = (typeof OPERATION_ACTIONS)[number];

/** Every action, in the order forms and docs list them. */
export { OPERATION_ACTIONS };

/** What a role may do: the actions, and whether only one mailbox at a time. */
export interface RoleRights {
  actions: readonly OperationAction[];
  /** At most one mailbox per request (helpdesk); such a role never acts on a whole organisation. */
  oneMailbox: boolean;
}

/**
 * The defaults of issue 17: admin all; org-admin hold, release and move its own organisations'
 * mailboxes; helpdesk retry and move one mailbox; metrics nothing.
 */
export const DEFAULT_RIGHTS: Record<Role, RoleRights> = {
  admin: { actions: OPERATION_ACTIONS, oneMailbox: false },
  'org-admin': { actions: ['hold', 'release', 'move'], oneMailbox: false },
  helpdesk: { actions: ['retry', 'move'], oneMailbox: true },
  metrics: { actions: [], oneMailbox: false },
};

/** ROLE's rights: tranche.yaml `operations.roles` when it names the role, else the defaults. */
export function rightsOf(config: ProgrammeConfig, role: Role): RoleRights {
  const set = config.operations?.roles?.[role];
  return set
    ? { actions: set.actions as OperationAction[], oneMailbox: set.oneMailbox }
    : DEFAULT_RIGHTS[role];
}

/**
 * Whether ROLE may go inside the notice period (`force`): the admin only. Everyone else acts
 * within the notice rules, whatever actions tranche.yaml gives them.
 */
export const mayForce = (role: Role): boolean => role === 'admin';
