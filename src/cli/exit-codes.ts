import type { ErrorType } from '../errors/tranche-error.js';

/** Exit codes of every tranche command; docs/cli.md lists them. */
export const EXIT = {
  /** Done: everything copied, or verify found no difference. */
  ok: 0,
  /** Done with skipped items (sync), or differences found (verify). */
  partial: 1,
  /** The sync did not finish: a folder or the connection failed; run again to resume. */
  failed: 2,
  /** Bad command line or configuration. */
  usage: 64,
  /** A server could not be reached, or TLS failed. */
  unavailable: 69,
  /** A bug: an error tranche does not know. */
  internal: 70,
  /** The state file could not be read or written. */
  stateError: 74,
  /** A login was refused (password, admin rights, mechanism, clear-text). */
  denied: 77,
} as const;

/** The exit code for a command that stopped with an error of this type. */
export function exitCodeFor(type: ErrorType): number {
  switch (type) {
    case 'usage':
    case 'folder-mapping':
      return EXIT.usage;
    case 'unreachable':
    case 'tls':
      return EXIT.unavailable;
    case 'auth':
    case 'account-disabled':
    case 'auth-mechanism':
    case 'authz-refused':
    case 'plaintext-refused':
      return EXIT.denied;
    case 'state':
      return EXIT.stateError;
    case 'internal':
      return EXIT.internal;
    default:
      return EXIT.failed;
  }
}
