import type { Command } from 'commander';

/** One command of the CLI: its name and one-line description for the top-level help, and how to load it. */
export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<Command>;
}

/**
 * Every command, loaded only when it runs: the bundle is split per command, so `tranche sync` never
 * loads the dashboard's web server or the job queue, and `tranche --help` loads none of them
 * (docs/ARCHITECTURE.md, "Start-up"). Descriptions must equal the commands' own (a test checks).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'sync',
    description: 'copy one mailbox from a source IMAP server to a target, byte-exact and resumable',
    load: async () => (await import('./sync-command.js')).syncCommand(),
  },
  {
    name: 'verify',
    description: 'compare source and target folder by folder (counts; with --deep every message)',
    load: async () => (await import('./verify-command.js')).verifyCommand(),
  },
  {
    name: 'init',
    description: 'create a programme: DIR/tranche.yaml, a secret key (mode 0600) and the state store',
    load: async () => (await import('./init-command.js')).initCommand(),
  },
  {
    name: 'endpoint',
    description: 'define the source and target servers of a programme',
    load: async () => (await import('./endpoint-command.js')).endpointCommand(),
  },
  {
    name: 'secrets',
    description: 'manage the key that encrypts stored secrets',
    load: async () => (await import('./secrets-command.js')).secretsCommand(),
  },
  {
    name: 'import',
    description: 'bring in organisations and mailbox lists (CSV)',
    load: async () => (await import('./import-command.js')).importCommand(),
  },
  {
    name: 'discover',
    description:
      'log in to source and target of every mailbox; record login failures by kind, folders, messages, bytes',
    load: async () => (await import('./discover-command.js')).discoverCommand(),
  },
  {
    name: 'status',
    description:
      'where the programme stands: counts by state, success rate, failures by reason, throughput, ETA; per organisation, per day, one mailbox',
    load: async () => (await import('./status-command.js')).statusCommand(),
  },
  {
    name: 'plan',
    description:
      "assign every schedulable mailbox (discovered, logins working) to a day: pilots first, within each day's capacity, after the notice period (docs/planning.md); exit 1 if any could not be placed",
    load: async () => (await import('./plan-command.js')).planCommand(),
  },
  {
    name: 'run',
    description:
      "carry out the calendar: pre-stage, delta passes, cutover, final pass and verify for each planned mailbox, within every endpoint's limits; stops when no mailbox has work left (see --follow)",
    load: async () => (await import('./run-command.js')).runCommand(),
  },
  {
    name: 'worker',
    description:
      'work on a programme whose state is in PostgreSQL, beside any number of other workers on any machines: steps come through a job queue in the same database, limits are shared, and one worker at a time keeps the calendar duties (notices, handing out due steps)',
    load: async () => (await import('./worker-command.js')).workerCommand(),
  },
  {
    name: 'notices',
    description: 'the notices sent to users and organisations: preview one, list the ledger',
    load: async () => (await import('./notices-command.js')).noticesCommand(),
  },
  {
    name: 'serve',
    description: 'the web dashboard, the JSON API and Prometheus /metrics for the programme',
    load: async () => (await import('./serve-command.js')).serveCommand(),
  },
  {
    name: 'token',
    description: 'access tokens for tranche serve: create, list, revoke',
    load: async () => (await import('./token-command.js')).tokenCommand(),
  },
  {
    name: 'mailbox',
    description:
      'act on mailboxes: retry, move, hold, release, exclude, include (all or nothing; in the audit trail)',
    load: async () => (await import('./mailbox-command.js')).mailboxCommand(),
  },
  {
    name: 'org',
    description: 'act on whole organisations: hold, release, move (in the audit trail)',
    load: async () => (await import('./org-command.js')).orgCommand(),
  },
  {
    name: 'day',
    description: 'change one day of the calendar: close, open, capacity (in the audit trail)',
    load: async () => (await import('./day-command.js')).dayCommand(),
  },
  {
    name: 'audit',
    description: 'the audit trail: when, who, what, why, before → after (newest first)',
    load: async () => (await import('./audit-command.js')).auditCommand(),
  },
  {
    name: 'soak',
    description:
      'load-test a target before go-live: simulated users on an open schedule at a multiple of the live load, percentiles per command, a go/no-go verdict the cutover gate obeys (exit 0 go, 1 no-go)',
    load: async () => (await import('./soak-command.js')).soakCommand(),
  },
];
