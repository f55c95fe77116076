import type { Role } from './role.js';

/** An action people may take from the dashboard and the API. */
export type OperationAction =
  'retry' | 'move' | 'hold' | 'release' | 'exclude' | 'include' | 'pause' | 'resume';

/** What a role may do: the actions, and whether only one mailbox at a time. */
export interface RoleRights {
  actions: readonly OperationAction[];
  /** At most one mailbox per request (helpdesk). */
  oneMailbox: boolean;
}

/**
 * The defaults of issue 17: admin all; org-admin hold, release and move its own organisations'
 * mailboxes; helpdesk retry and move one mailbox; metrics nothing.
 */
export const DEFAULT_RIGHTS: Record<Role, RoleRights> = {
  admin: {
    actions: ['retry', 'move', 'hold', 'release', 'exclude', 'include', 'pause', 'resume'],
    oneMailbox: false,
  },
  'org-admin': { actions: ['hold', 'release', 'move'], oneMailbox: false },
  helpdesk: { actions: ['retry', 'move'], oneMailbox: true },
  metrics: { actions: [], oneMailbox: false },
};
