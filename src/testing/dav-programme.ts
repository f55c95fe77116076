// Test fixture for a programme that moves calendars and contacts with the mail: two Dovecots and two
// Radicales, endpoints with DAV addresses (the source as the mail servers' master user, which is
// Radicale's admin too; the target as each user), a mail-only endpoint beside them, and the lists.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus, loadCorpus } from './corpus.js';
import {
  loadDavCorpus,
  makeAddressBook,
  makeCalendar,
  plainContact,
  plainEvent,
  putItem,
} from './dav-corpus.js';
import { startDovecot, type DovecotServer, type DovecotUser } from './dovecot.js';
import { basicAuth, startRadicale, type DavLogin, type RadicaleServer } from './radicale.js';
import { runCli } from './sync-fixture.js';

/** A mailbox of the programme: its logins on the four servers (DAV ones only when it moves calendars). */
export interface DavProgrammeMailbox {
  address: string;
  /** Moves calendars and contacts (endpoints old → new) or mail only (old → mail-only). */
  dav: boolean;
  source: DovecotUser;
  target: DovecotUser;
  sourceDav: DavLogin | undefined;
  targetDav: DavLogin | undefined;
}

/** The built programme. */
export interface DavProgramme {
  dir: string;
  source: DovecotServer;
  target: DovecotServer;
  sourceDav: RadicaleServer;
  targetDav: RadicaleServer;
  mailboxes: DavProgrammeMailbox[];
  organisationsCsv: string;
  mailboxesCsv: string;
  /** Runs `tranche ARGS --programme DIR`; throws on an exit code not allowed. */
  tranche(args: string[], allowed?: number[]): Promise<string>;
  stop(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/tranche.js', import.meta.url));

/** A few events and contacts: a calendar and an address book of a mailbox's own. */
async function smallDavCorpus(home: string, login: DavLogin, seed: number): Promise<void> {
  const t = { home, authorization: basicAuth(login) };
  await makeCalendar(t, 'agenda', `Agenda ${seed}`, '#112233FF', 'Rendez-vous', ['VEVENT']);
  for (let i = 0; i < 3; i++)
    await putItem(t, 'agenda', `e-${i}.ics`, plainEvent(seed * 100 + i, `Réunion ${seed}-${i}`));
  await makeAddressBook(t, 'contacts', `Carnet ${seed}`, 'Collègues');
  for (let i = 0; i < 2; i++) await putItem(t, 'contacts', `c-${i}.vcf`, plainContact(seed * 100 + i));
}

/**
 * DAV_USERS mailboxes moving mail, calendars and contacts (the first with the hard corpus and BIG
 * events in one calendar, the others a few items each) and MAIL_USERS moving mail only.
 */
export async function buildDavProgramme(options: {
  dir: string;
  davUsers: number;
  mailUsers: number;
  big: number;
}): Promise<DavProgramme> {
  const [source, target] = await Promise.all([startDovecot(), startDovecot()]);
  const [sourceDav, targetDav] = await Promise.all([
    startRadicale({ admin: { user: source.masterUser, password: source.masterPassword } }),
    startRadicale(),
  ]);
  const stop = async (): Promise<void> => {
    await Promise.all([source.stop(), target.stop(), sourceDav.stop(), targetDav.stop()]);
  };
  const tranche = async (args: string[], allowed: number[] = [0]): Promise<string> => {
    const result = await runCli([...args, '--programme', options.dir], { TRANCHE_ENDPOINT_PASSWORD: '' });
    if (!allowed.includes(result.status ?? -1))
      throw new Error(`tranche ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
    return result.stdout;
  };
  try {
    const mailboxes: DavProgrammeMailbox[] = [];
    const add = async (name: string, dav: boolean, i: number): Promise<void> => {
      const m: DavProgrammeMailbox = {
        address: `${name}@org.example.org`,
        dav,
        source: await source.addUser(name),
        target: await target.addUser(name),
        sourceDav: undefined,
        targetDav: undefined,
      };
      await loadCorpus(
        source,
        m.source,
        generateCorpus({ seed: 9100 + i, messages: 6, folders: ['INBOX', 'Sent'], bigAttachments: 0 }),
      );
      if (dav) {
        m.sourceDav = await sourceDav.addUser(name);
        // The target's DAV server knows the user by the same password as its mail server.
        m.targetDav = await targetDav.addUser(name, m.target.password);
        const home = `${sourceDav.url}/${name}/`;
        if (i === 0) {
          await loadDavCorpus(
            { home, authorization: basicAuth(m.sourceDav) },
            { bigEvents: options.big, bigContacts: 0, oversizeBytes: 0 },
          );
        } else {
          await smallDavCorpus(home, m.sourceDav, i);
        }
      }
      mailboxes.push(m);
    };
    for (let i = 0; i < options.davUsers; i++) await add(`cal-${i + 1}`, true, i);
    for (let i = 0; i < options.mailUsers; i++) await add(`mail-${i + 1}`, false, options.davUsers + i);

    const init = spawnSync(process.execPath, [BIN, 'init', options.dir, '--name', 'DAV programme'], {
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`tranche init: ${init.stderr}`);
    // Everyone on one day, prestaged the day before: the template's calendar gives way to this one.
    const file = join(options.dir, 'tranche.yaml');
    const template = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      `${template.slice(0, template.indexOf('# The calendar'))}schedule:\n  weekday: { mailboxes: ${mailboxes.length} }\n  weekend: { mailboxes: 0 }\n  noticeDays: 14\nlifecycle:\n  prestageDays: 1\n`,
    );
    const passwordFile = join(options.dir, 'old-admin.password');
    writeFileSync(passwordFile, source.masterPassword, { mode: 0o600 });
    await tranche([
      'endpoint',
      'add',
      'old',
      '--url',
      source.url,
      '--allow-plaintext',
      '--admin',
      source.masterUser,
      '--admin-password-file',
      passwordFile,
      '--dav',
      `${sourceDav.url}/{user}/`,
    ]);
    await tranche([
      'endpoint',
      'add',
      'new',
      '--url',
      target.url,
      '--allow-plaintext',
      '--dav',
      `${targetDav.url}/{user}/`,
    ]);
    await tranche(['endpoint', 'add', 'mail-only', '--url', target.url, '--allow-plaintext']);
    const organisationsCsv = join(options.dir, 'organisations.csv');
    writeFileSync(
      organisationsCsv,
      'code,name,admin_contacts,pilot,blackout_dates\nORG,"Org",it@org.example.org,yes,\n',
    );
    const mailboxesCsv = join(options.dir, 'mailboxes.csv');
    writeFileSync(
      mailboxesCsv,
      [
        'address,organisation,source_endpoint,source_user,target_endpoint,target_user,target_password',
        ...mailboxes.map(
          (m) =>
            `${m.address},ORG,old,${m.source.user},${m.dav ? 'new' : 'mail-only'},${m.target.user},${m.target.password}`,
        ),
      ].join('\n') + '\n',
    );
    return {
      dir: options.dir,
      source,
      target,
      sourceDav,
      targetDav,
      mailboxes,
      organisationsCsv,
      mailboxesCsv,
      tranche,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
