import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus, loadCorpus } from './corpus.js';
import {
  startDovecot,
  type DovecotServer,
  type DovecotUser,
  type MailFormat,
  type OAuth2Keys,
} from './dovecot.js';
import { runCli } from './sync-fixture.js';

/** An organisation of a sample programme. */
export interface SampleOrganisation {
  code: string;
  name: string;
  pilot: boolean;
  mailboxes: number;
  blackoutDates?: string[];
}

/** What to build: organisations, mail per mailbox, and the programme's tranche.yaml extras. */
export interface SampleProgrammeOptions {
  /** The programme directory (created by `tranche init`). */
  dir: string;
  organisations: SampleOrganisation[];
  /** Messages of mailbox number I (0-based, across organisations). */
  messages: (i: number) => number;
  /** Lines appended to tranche.yaml after init (schedule, lifecycle), as YAML text. */
  config?: string;
  /** Limits of the source endpoint, as `tranche endpoint add` flags. */
  sourceFlags?: string[];
  /** Limits of the target endpoint, as `tranche endpoint add` flags. */
  targetFlags?: string[];
  /** Mailboxes loaded with mail at once. */
  parallel?: number;
  /** Keep the programme's state in this PostgreSQL database (`tranche init --db`); default SQLite. */
  db?: string;
  /** The URL the source endpoint is given, e.g. a proxy in front of the source server (default: the server's). */
  frontSource?: (source: DovecotServer) => Promise<string>;
  /** How the source keeps mail on disk ('maildir-fs' to damage messages there); default sdbox. */
  sourceMail?: MailFormat;
  /**
   * An OAuth2-only target: Dovecot trusts these keys, and the target endpoint logs in with the
   * token source these `endpoint add` flags give (no admin); `env` goes to every tranche run.
   */
  oauthTarget?: { keys: OAuth2Keys; flags: string[]; env: Record<string, string> };
}

/** A mailbox of the sample, with its logins on both servers. */
export interface SampleMailbox {
  address: string;
  organisation: string;
  source: DovecotUser;
  target: DovecotUser;
}

/** A built sample: the servers, the mailboxes, the CSV files to import. */
export interface SampleProgramme {
  source: DovecotServer;
  target: DovecotServer;
  mailboxes: SampleMailbox[];
  organisationsCsv: string;
  mailboxesCsv: string;
  /** Runs `tranche ARGS --programme DIR`, throwing on an exit code other than those allowed. */
  tranche(args: string[], allowed?: number[]): string;
  /** The same, without blocking this process (a server living in it, e.g. an SMTP sink, can answer). */
  trancheAsync(args: string[], allowed?: number[]): Promise<string>;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));

/**
 * A programme as a team would start it: a source Dovecot with the mail of every mailbox, an empty
 * target, a programme directory with both endpoints (each with a master user as admin), and the
 * organisation and mailbox lists as CSV files, not yet imported.
 */
export async function buildSampleProgramme(options: SampleProgrammeOptions): Promise<SampleProgramme> {
  const [source, target] = await Promise.all([
    startDovecot({ mailFormat: options.sourceMail }),
    startDovecot(options.oauthTarget ? { oauth2: options.oauthTarget.keys } : {}),
  ]);
  const env = { TRANCHE_ENDPOINT_PASSWORD: '', ...options.oauthTarget?.env };
  const trancheAsync = async (args: string[], allowed: number[] = [0]): Promise<string> => {
    const result = await runCli([...args, '--programme', options.dir], env);
    if (!allowed.includes(result.status ?? -1))
      throw new Error(`tranche ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  const tranche = (args: string[], allowed: number[] = [0]): string => {
    const result = spawnSync(process.execPath, [BIN, ...args, '--programme', options.dir], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    if (!allowed.includes(result.status ?? -1))
      throw new Error(`tranche ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  try {
    const mailboxes: SampleMailbox[] = [];
    for (const org of options.organisations) {
      for (let i = 0; i < org.mailboxes; i++) {
        const name = `${org.code.toLowerCase()}-${String(i + 1).padStart(3, '0')}`;
        mailboxes.push({
          address: `${name}@${org.code.toLowerCase()}.example.org`,
          organisation: org.code,
          source: await source.addUser(name),
          target: await target.addUser(name),
        });
      }
    }
    const parallel = options.parallel ?? 4;
    for (let i = 0; i < mailboxes.length; i += parallel) {
      await Promise.all(
        mailboxes.slice(i, i + parallel).map((m, j) =>
          loadCorpus(
            source,
            m.source,
            generateCorpus({
              seed: 7000 + i + j,
              messages: options.messages(i + j),
              folders: ['INBOX', 'Sent', 'Archive', 'Projects', 'Projects/2026'],
              bigAttachments: 0,
            }),
          ),
        ),
      );
    }

    const init = spawnSync(
      process.execPath,
      [BIN, 'init', options.dir, '--name', 'Sample programme', ...(options.db ? ['--db', options.db] : [])],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`tranche init: ${init.stderr}`);
    if (options.config) {
      const file = join(options.dir, 'tranche.yaml');
      // The template's own schedule and lifecycle sections give way to the sample's.
      const template = readFileSync(file, 'utf8');
      const base = template.slice(0, template.indexOf('# The calendar'));
      writeFileSync(file, `${base}${options.config.trim()}\n`);
    }
    const sourceUrl = options.frontSource ? await options.frontSource(source) : source.url;
    for (const [name, server, url, extra] of [
      ['old', source, sourceUrl, options.sourceFlags ?? []],
      ['new', target, target.url, options.targetFlags ?? []],
    ] as const) {
      if (name === 'new' && options.oauthTarget) {
        tranche([
          'endpoint',
          'add',
          name,
          '--url',
          url,
          '--allow-plaintext',
          ...options.oauthTarget.flags,
          ...extra,
        ]);
        continue;
      }
      const passwordFile = join(options.dir, `${name}-admin.password`);
      writeFileSync(passwordFile, server.masterPassword, { mode: 0o600 });
      tranche([
        'endpoint',
        'add',
        name,
        '--url',
        url,
        '--allow-plaintext',
        '--admin',
        server.masterUser,
        '--admin-password-file',
        passwordFile,
        ...extra,
      ]);
    }
    const organisationsCsv = join(options.dir, 'organisations.csv');
    writeFileSync(
      organisationsCsv,
      [
        'code,name,admin_contacts,pilot,blackout_dates',
        ...options.organisations.map(
          (o) =>
            `${o.code},"${o.name}",it@${o.code.toLowerCase()}.example.org,${o.pilot ? 'yes' : 'no'},${(o.blackoutDates ?? []).join(';')}`,
        ),
      ].join('\n') + '\n',
    );
    const mailboxesCsv = join(options.dir, 'mailboxes.csv');
    writeFileSync(
      mailboxesCsv,
      [
        'address,organisation,source_endpoint,source_user,target_endpoint,target_user',
        ...mailboxes.map((m) => `${m.address},${m.organisation},old,${m.source.user},new,${m.target.user}`),
      ].join('\n') + '\n',
    );
    return {
      source,
      target,
      mailboxes,
      organisationsCsv,
      mailboxesCsv,
      tranche,
      trancheAsync,
      stop: () => Promise.all([source.stop(), target.stop()]).then(() => undefined),
    };
  } catch (error) {
    await Promise.all([source.stop(), target.stop()]);
    throw error;
  }
}
