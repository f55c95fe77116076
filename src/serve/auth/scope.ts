import { areasOf, type Area, type Role } from './role.js';
import { forbidden, HttpRefusal } from '../http-refusal.js';

/**
 * What one caller may see: its role, and for an org-admin the organisations it is restricted to.
 * Every route asks the scope (never the role itself), so the rules live here once.
 */
export interface Scope {
  tokenId: string;
  tokenName: string;
  role: Role;
  /** The organisations this caller may see; null for the whole programme. */
  organisations: readonly string[] | null;
}

/** Refuses (403) unless the scope's role may enter AREA. */
export function requireArea(scope: Scope, area: Area): void {
  if (!areasOf(scope.role).includes(area)) throw forbidden(`a ${scope.role} token cannot open ${area}`);
}

/**
 * The organisation filter for the report layer: undefined for the whole programme, else the scope's
 * codes (an org-admin's figures are its organisations' only, everywhere).
 */
export function organisationFilter(scope: Scope): readonly string[] | undefined {
  return scope.organisations ?? undefined;
}

/** Whether the scope may see the organisation CODE (a mailbox without one: the whole-programme scope only). */
export function maySee(scope: Scope, code: string | null): boolean {
  return scope.organisations === null || (code !== null && scope.organisations.includes(code));
}

/** Refuses (403) unless the scope may see the organisation CODE. */
export function requireOrganisation(scope: Scope, code: string | null): void {
  if (!maySee(scope, code)) throw forbidden(`this token cannot see organisation ${code ?? '(none)'}`);
}

/**
 * The refusal (404) of a mailbox that is not there, and equally of one the scope may not see: an
 * org-admin learns nothing of other organisations' mailboxes, not even that one exists.
 */
export function noSuchMailbox(address: string): HttpRefusal {
  return new HttpRefusal(404, `no mailbox ${address.trim().toLowerCase()} in this programme`);
}
