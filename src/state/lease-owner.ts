import { hostname } from 'node:os';

/** This process's name as a lease owner: host, pid and a random tag (pids are reused). */
export function newOwnerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** The prefix of the owners of this host, to find them with LIKE. */
export function localOwnerPrefix(): string {
  return `${hostname()}:`;
}

/**
 * Whether OWNER (another lease owner of this host) is gone: its process no longer exists, or its pid is
 * this process's own (so the pid was reused). Leases of other hosts can only run out.
 */
export function isGoneLocally(owner: string, self: string): boolean {
  if (owner === self || !owner.startsWith(localOwnerPrefix())) return false;
  const pid = Number(owner.split(':')[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
