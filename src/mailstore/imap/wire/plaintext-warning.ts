import { isIP } from 'node:net';
import { createLogger, type Logger } from '../../../log/logger.js';

/** Whether HOST, as given, names this machine: localhost, 127.0.0.0/8 or ::1 (a name is taken as given, not resolved). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

const warned = new Set<string>();
let defaultLogger: Logger | undefined;

/**
 * Warns, once per server and process, that a password is about to go in clear to a server that is
 * not given as a loopback address (--allow-plaintext allowed it, or a STARTTLS was stripped on
 * the way). The password is not in the warning.
 */
export function warnPlaintextLogin(host: string, port: number, logger?: Logger): boolean {
  const server = `${host}:${port}`;
  if (isLoopbackHost(host) || warned.has(server)) return false;
  warned.add(server);
  (logger ?? (defaultLogger ??= createLogger())).warn(
    { server },
    'sending a password in clear to a server that is not on this machine (--allow-plaintext): anyone on the network path can read it; use imaps:// or STARTTLS',
  );
  return true;
}
