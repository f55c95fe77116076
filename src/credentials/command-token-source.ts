import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { childEnvironment } from '../environment/environment.js';
import { jwtExpiry, tokenError } from './token-error.js';
import type { AccessToken, TokenSource } from './token-source.js';

/** A command that takes longer than this is stopped and counted as failed. */
const COMMAND_TIMEOUT_MS = 60_000;
/** More output than this is no token. */
const MAX_OUTPUT_BYTES = 256 * 1024;

/** What a command printed, read as a token: a bare token, or JSON {"access_token", "expires_in"}. */
export function parseCommandOutput(output: string, now: number): AccessToken | string {
  const text = output.trim();
  if (text === '') return 'printed-nothing';
  if (!text.startsWith('{')) {
    if (/\s/.test(text)) return 'not-a-token';
    return { value: text, expiresAt: jwtExpiry(text) };
  }
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return 'bad-json';
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token === '') return 'no-access-token';
  const expiresIn = Number(parsed.expires_in);
  return {
    value: parsed.access_token,
    expiresAt:
      parsed.expires_in !== undefined && Number.isFinite(expiresIn)
        ? now + expiresIn * 1000
        : jwtExpiry(parsed.access_token),
  };
}

/**
 * `--*-token-command CMD`: run through the shell with TRANCHE_USER set to the login user. Its
 * standard error is not shown: it might hold what the command used to get the token.
 */
export class CommandTokenSource implements TokenSource {
  readonly id: string;
  readonly description = 'token command';
  readonly perUser = true;
  readonly #command: string;
  readonly #now: () => number;

  constructor(command: string, now: () => number = Date.now) {
    this.#command = command;
    this.#now = now;
    this.id = `command:${createHash('sha256').update(command).digest('hex').slice(0, 16)}`;
  }

  fetch(user: string): Promise<AccessToken> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', this.#command], {
        env: childEnvironment({ TRANCHE_USER: user }),
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: COMMAND_TIMEOUT_MS,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT_BYTES) chunks.push(chunk);
      });
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(tokenError(this.description, `cannot run (${error.code ?? 'error'})`, 'refused')),
      );
      child.once('close', (code, signal) => {
        if (signal) return reject(tokenError(this.description, `stopped by ${signal}`, 'refused'));
        if (code !== 0) return reject(tokenError(this.description, `exit-status-${code}`, 'refused'));
        if (size > MAX_OUTPUT_BYTES)
          return reject(tokenError(this.description, 'output-too-long', 'refused'));
        const token = parseCommandOutput(Buffer.concat(chunks).toString('utf8'), this.#now());
        if (typeof token === 'string') return reject(tokenError(this.description, token, 'refused'));
        resolve(token);
      });
    });
  }
}
