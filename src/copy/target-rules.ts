import type { ServiceProfile } from '../mailstore/service-profile.js';

/**
 * What a copy respects of a target's habits when the server itself does not say (a service
 * profile's figures, or an endpoint's): the server's own APPENDLIMIT and PERMANENTFLAGS win.
 */
export interface TargetRules {
  /** Largest message in bytes, when the server announces no APPENDLIMIT; undefined: no limit known. */
  maxMessageSize: number | undefined;
  /** What the limit is called in a skipped item's reason ("the exchange-online profile's limit"). */
  maxMessageSizeSource: string;
  /** Flags the target keeps when its PERMANENTFLAGS does not say; undefined: any. */
  keptFlags: readonly string[] | undefined;
}

/** A folder's size limit, and in words where it comes from. */
export interface SizeLimit {
  bytes: number;
  source: string;
}

/**
 * The limit for messages into a folder: the server's (RFC 7889 APPENDLIMIT, per folder or global;
 * null means the server says there is none), else the rules' default.
 */
export function sizeLimit(
  announced: number | null | undefined,
  rules: TargetRules | undefined,
): SizeLimit | undefined {
  if (announced === null) return undefined;
  if (announced !== undefined) return { bytes: announced, source: "the target's APPENDLIMIT" };
  if (rules?.maxMessageSize === undefined) return undefined;
  return { bytes: rules.maxMessageSize, source: rules.maxMessageSizeSource };
}

/** The rules of a target with this profile and (an endpoint's) message size limit, which wins over the profile's. */
export function targetRules(
  profile: ServiceProfile | undefined,
  maxMessageSize?: number,
  owner = 'the endpoint',
): TargetRules | undefined {
  if (!profile && maxMessageSize === undefined) return undefined;
  return {
    maxMessageSize: maxMessageSize ?? profile?.maxMessageSize,
    maxMessageSizeSource:
      maxMessageSize !== undefined ? `${owner}'s max message size` : `the ${profile!.name} profile's limit`,
    keptFlags: profile?.keptFlags,
  };
}

/** Whether a closed flag set keeps a flag (system flags are always given): for verify without a sync's report. */
export function keepsFlag(rules: TargetRules | undefined): ((flag: string) => boolean) | undefined {
  const kept = rules?.keptFlags;
  if (!kept) return undefined;
  const names = new Set(kept.map((f) => f.toLowerCase()));
  return (flag) => flag.startsWith('\\') || names.has(flag.toLowerCase());
}
