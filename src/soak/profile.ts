import { readFileSync } from 'node:fs';
import { parseYamlDocument } from '../programme/config/yaml-document.js';
import { z } from 'zod';
import { TrancheError } from '../errors/tranche-error.js';

/** What a simulated user can do; each runs one or more IMAP commands (see user-actions.ts). */
export const ACTION_KINDS = [
  'login',
  'list',
  'select',
  'status',
  'fetchHeaders',
  'fetchMessage',
  'search',
  'deliver',
  'saveSent',
  'flag',
  'expunge',
] as const;

/** One kind of user action. */
export type ActionKind = (typeof ACTION_KINDS)[number];

/** How one user of the live system behaves, per hour: the load a multiple of 1 puts on the target. */
export interface SoakProfile {
  /** Actions per user per hour, by kind. */
  actionsPerHour: Record<ActionKind, number>;
  /** Connections each user keeps open for its actions (desktop clients keep one or two). */
  connectionsPerUser: number;
  /** Share of users (0..1) that also hold a connection in IDLE, waiting for new mail. */
  idleShare: number;
  /** Size of each appended message (delivery and Sent), in bytes. */
  messageBytes: number;
}

/**
 * A typical office user's hour, from mail-client traces: a desktop client polling a few folders
 * (STATUS), opening the inbox and reading a dozen messages, a handful of deliveries and sent mail,
 * flags changed, a search now and then, and a phone holding IDLE. Documented in docs/soak.md.
 */
export const OFFICE_USER: SoakProfile = {
  actionsPerHour: {
    login: 4,
    list: 4,
    select: 20,
    status: 30,
    fetchHeaders: 20,
    fetchMessage: 15,
    search: 2,
    deliver: 8,
    saveSent: 3,
    flag: 8,
    expunge: 2,
  },
  connectionsPerUser: 1,
  idleShare: 0.5,
  messageBytes: 20_000,
};

const schema = z
  .object({
    actionsPerHour: z
      .object(Object.fromEntries(ACTION_KINDS.map((k) => [k, z.number().nonnegative().optional()])))
      .strict()
      .optional(),
    connectionsPerUser: z.number().int().positive().max(8).optional(),
    idleShare: z.number().min(0).max(1).optional(),
    messageBytes: z.number().int().min(200).max(50_000_000).optional(),
  })
  .strict();

/** A profile from YAML text; fields left out keep the office user's values. Errors name the field. */
export function parseProfile(text: string, source: string): SoakProfile {
  const input = parseYamlDocument(text, source, schema);
  const actionsPerHour = { ...OFFICE_USER.actionsPerHour };
  for (const kind of ACTION_KINDS) {
    const value = input.actionsPerHour?.[kind];
    if (value !== undefined) actionsPerHour[kind] = value;
  }
  if (ACTION_KINDS.every((k) => actionsPerHour[k] === 0))
    throw new TrancheError('usage', `${source}: field 'actionsPerHour': at least one action must be above 0`);
  return {
    actionsPerHour,
    connectionsPerUser: input.connectionsPerUser ?? OFFICE_USER.connectionsPerUser,
    idleShare: input.idleShare ?? OFFICE_USER.idleShare,
    messageBytes: input.messageBytes ?? OFFICE_USER.messageBytes,
  };
}

/** Reads a profile file (--profile FILE). */
export function loadProfile(file: string): SoakProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TrancheError('usage', `--profile: cannot read ${file}`);
  }
  return parseProfile(text, file);
}

/** Actions per user per hour, all kinds together. */
export function actionsPerUserHour(profile: SoakProfile): number {
  return Object.values(profile.actionsPerHour).reduce((a, b) => a + b, 0);
}
