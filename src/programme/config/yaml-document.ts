import { parse } from 'yaml';
import type { z } from 'zod';
import { TrancheError } from '../../errors/tranche-error.js';

/**
 * Parses YAML TEXT from SOURCE (a file name) and validates it against SCHEMA; an empty document is
 * an empty object. Every error is a usage error naming the source and each field at fault.
 */
export function parseYamlDocument<S extends z.ZodType>(text: string, source: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new TrancheError('usage', `${source}: not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field =
        issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(top level)');
      return `field '${field}': ${issue.message}`;
    });
    throw new TrancheError('usage', `${source}: ${problems.join('; ')}`);
  }
  return result.data;
}
