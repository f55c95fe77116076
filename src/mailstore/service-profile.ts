/** The hosted services tranche knows the habits of. */
export type ServiceProfileName = 'exchange-online' | 'gmail';

/**
 * What a hosted service does differently, so a user does not learn it from failures. Figures
 * marked "vendor" come from the vendors' documents, not from a test here (docs/microsoft-365-and-google.md).
 */
export interface ServiceProfile {
  name: ServiceProfileName;
  /** Largest message the service takes on APPEND, in bytes, unless the endpoint sets its own. */
  maxMessageSize: number;
  /** Connections per mailbox tranche opens at most (the services allow few). */
  connectionsPerMailbox: number;
  /** Bytes a mailbox may receive per day (Gmail's upload allowance), or undefined. */
  bytesPerDay: number | undefined;
  /** Folders of a source on this service left out by default, by special use or path. */
  sourceExcludes: { specialUse: string[]; paths: string[] };
  /** Flags the service keeps; keywords outside them are lost (reported once per folder). Undefined: any. */
  keptFlags: readonly string[] | undefined;
  /** \Flagged given in APPEND may be dropped: set it again with STORE after. */
  flaggedAfterAppend: boolean;
}

const MB = 1024 * 1024;

/** The profiles by name. */
export const SERVICE_PROFILES: Readonly<Record<ServiceProfileName, ServiceProfile>> = {
  'exchange-online': {
    name: 'exchange-online',
    // vendor: 35 MB by default, up to 150 MB when the tenant raises it (set per endpoint).
    maxMessageSize: 35 * MB,
    connectionsPerMailbox: 2,
    bytesPerDay: undefined,
    sourceExcludes: { specialUse: [], paths: [] },
    // vendor (and the PERMANENTFLAGS Exchange Online sends): no keywords of one's own.
    keptFlags: ['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen', '$MDNSent'],
    flaggedAfterAppend: true,
  },
  gmail: {
    name: 'gmail',
    // APPENDLIMIT=35651584, as Gmail announces it; an APPENDLIMIT the server sends wins.
    maxMessageSize: 35_651_584,
    // vendor: 15 connections per account; a few leave room for the user's own clients.
    connectionsPerMailbox: 4,
    // vendor: about 500 MB of uploads per mailbox per day.
    bytesPerDay: 500 * MB,
    // Labels are folders: All Mail holds every message again, Important and Starred are views.
    sourceExcludes: {
      specialUse: ['\\All', '\\Important', '\\Flagged'],
      paths: ['[Gmail]/All Mail', '[Gmail]/Important', '[Gmail]/Starred'],
    },
    keptFlags: undefined,
    flaggedAfterAppend: false,
  },
};

/** The profile of a name, or undefined for none. */
export function serviceProfile(name: string | null | undefined): ServiceProfile | undefined {
  return name ? SERVICE_PROFILES[name as ServiceProfileName] : undefined;
}
