import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { TrancheError } from '../errors/tranche-error.js';

/** The programme's configuration file, found in the programme directory. */
export const CONFIG_FILE = 'tranche.yaml';

const schema = z
  .object({
    name: z.string().min(1, 'must not be empty'),
    state: z.string().min(1, 'must not be empty').optional(),
    secretKeyFile: z.string().min(1, 'must not be empty').optional(),
  })
  .strict();

/** The configuration with every default filled and paths made absolute. */
export interface ProgrammeConfig {
  /** The programme's name, for reports and notices. */
  name: string;
  /** The state store: a SQLite file path or a postgres:// URL. */
  state: string;
  /** Where the secret key file is (TRANCHE_SECRET_KEY, when set, is used instead). */
  secretKeyFile: string;
  /** The programme directory. */
  dir: string;
}

/** All defaults, in one place; environment variables (TRANCHE_DB) win over the file. */
export function withDefaults(input: z.infer<typeof schema>, dir: string, env = process.env): ProgrammeConfig {
  const local = (path: string): string =>
    isAbsolute(path) || /^postgres(ql)?:\/\//i.test(path) ? path : join(dir, path);
  return {
    name: input.name,
    state: local(env.TRANCHE_DB ?? input.state ?? 'state.sqlite'),
    secretKeyFile: local(input.secretKeyFile ?? 'secret.key'),
    dir,
  };
}

/** Reads and validates DIR/tranche.yaml; every error names the file and the field. */
export function loadConfig(dir: string, env = process.env): ProgrammeConfig {
  const file = join(resolve(dir), CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TrancheError('usage', `${file} not found: run 'tranche init ${dir}' or give --programme DIR`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new TrancheError('usage', `${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field =
        issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(top level)');
      return `field '${field}': ${issue.message}`;
    });
    throw new TrancheError('usage', `${file}: ${problems.join('; ')}`);
  }
  return withDefaults(result.data, dirname(file), env);
}

/** The text of a new configuration file, documented in place. */
export function configTemplate(name: string, state: string | undefined): string {
  return [
    '# tranche programme configuration (docs/configuration.md).',
    '',
    '# Shown in reports and notices.',
    `name: ${JSON.stringify(name)}`,
    '',
    '# The state store: a SQLite file (relative to this directory) or a postgres:// URL.',
    '# TRANCHE_DB overrides it. Keep a PostgreSQL password in PGPASSWORD or ~/.pgpass, not here.',
    `state: ${JSON.stringify(state ?? 'state.sqlite')}`,
    '',
    '# The key that encrypts secrets at rest (mode 0600). TRANCHE_SECRET_KEY overrides it.',
    'secretKeyFile: secret.key',
    '',
  ].join('\n');
}
