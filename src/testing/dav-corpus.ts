// Test corpus for calendars and contacts: the hard cases of issue 19, written straight to a DAV
// server over HTTP (not through tranche), as the user would have them.
import { randomBytes } from 'node:crypto';
import { httpRequest } from './http-request.js';
import type { CollectionSeed, SeededCollection } from './radicale-storage.js';

/** Where and as whom the corpus is written. */
export interface DavTarget {
  /** The user's home, e.g. http://127.0.0.1:PORT/alice/ (calendars and address books under it). */
  home: string;
  authorization: string;
}

/** Sizes of the generated corpus. */
export interface DavCorpusOptions {
  /** Events in the big calendar (2,000 in the acceptance test). */
  bigEvents: number;
  /** Contacts in the big address book. */
  bigContacts: number;
  /** Size of the attachment in the item the target should refuse (0: leave it out). */
  oversizeBytes: number;
  /** Writes the big collections whole (a Radicale's storage: radicaleSeed) instead of PUT by PUT. */
  seed?: CollectionSeed;
}

/** What was written: collection name → item count. */
export type DavCorpusCounts = Record<string, number>;

const CRLF = '\r\n';

/** Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence. */
export function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74;
  }
  return parts.join(`${CRLF} `);
}

function ics(...lines: string[]): string {
  return (
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//tranche tests//corpus//EN', ...lines, 'END:VCALENDAR']
      .map(fold)
      .join(CRLF) + CRLF
  );
}

const TIMEZONES: Record<string, string[]> = {
  'Europe/Paris': [
    'BEGIN:VTIMEZONE',
    'TZID:Europe/Paris',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200',
    'TZNAME:CEST',
    'DTSTART:19700329T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100',
    'TZNAME:CET',
    'DTSTART:19701025T030000',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'America/New_York': [
    'BEGIN:VTIMEZONE',
    'TZID:America/New_York',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:-0500',
    'TZOFFSETTO:-0400',
    'TZNAME:EDT',
    'DTSTART:19700308T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU',
    'END:DAYLIGHT',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:-0400',
    'TZOFFSETTO:-0500',
    'TZNAME:EST',
    'DTSTART:19701101T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU',
    'END:STANDARD',
    'END:VTIMEZONE',
  ],
  'Australia/Sydney': [
    'BEGIN:VTIMEZONE',
    'TZID:Australia/Sydney',
    'BEGIN:STANDARD',
    'TZOFFSETFROM:+1100',
    'TZOFFSETTO:+1000',
    'TZNAME:AEST',
    'DTSTART:19700405T030000',
    'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU',
    'END:STANDARD',
    'BEGIN:DAYLIGHT',
    'TZOFFSETFROM:+1000',
    'TZOFFSETTO:+1100',
    'TZNAME:AEDT',
    'DTSTART:19701004T020000',
    'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU',
    'END:DAYLIGHT',
    'END:VTIMEZONE',
  ],
};

const ATTENDEES = [
  'ORGANIZER;CN=Zoë Organisatrice:mailto:zoe@example.org',
  'ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:bob@example.org',
  'ATTENDEE;CN=Ingrid Ångström;PARTSTAT=DECLINED:mailto:ingrid@example.org',
  'ATTENDEE;CN=李雷;PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:li@example.org',
  'ATTENDEE;CN=Nadia;PARTSTAT=NEEDS-ACTION:mailto:nadia@example.org',
];

function base64Lines(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/** The hard calendar items, by resource name. */
export function hardEvents(): Record<string, string> {
  const stamp = 'DTSTAMP:20260101T090000Z';
  return {
    'weekly.ics': ics(
      ...TIMEZONES['Europe/Paris']!,
      'BEGIN:VEVENT',
      'UID:weekly-meeting@corpus',
      stamp,
      'SUMMARY:Réunion hebdomadaire — équipe',
      'DTSTART;TZID=Europe/Paris:20260105T100000',
      'DTEND;TZID=Europe/Paris:20260105T110000',
      'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=20',
      'EXDATE;TZID=Europe/Paris:20260119T100000',
      'CATEGORIES:Travail,Équipe',
      ...ATTENDEES,
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Rappel',
      'TRIGGER:-PT15M',
      'END:VALARM',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:weekly-meeting@corpus',
      stamp,
      'RECURRENCE-ID;TZID=Europe/Paris:20260112T100000',
      'SUMMARY:Réunion hebdomadaire (déplacée)',
      'DTSTART;TZID=Europe/Paris:20260113T143000',
      'DTEND;TZID=Europe/Paris:20260113T153000',
      ...ATTENDEES,
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:weekly-meeting@corpus',
      stamp,
      'RECURRENCE-ID;TZID=Europe/Paris:20260126T100000',
      'SUMMARY:Réunion hebdomadaire — ordre du jour changé',
      'DESCRIPTION:Budget 2026\\, puis questions diverses',
      'DTSTART;TZID=Europe/Paris:20260126T100000',
      'DTEND;TZID=Europe/Paris:20260126T113000',
      'LOCATION:Salle Ærø',
      ...ATTENDEES,
      'END:VEVENT',
    ),
    'allday.ics': ics(
      'BEGIN:VEVENT',
      'UID:allday@corpus',
      stamp,
      'SUMMARY:Jour férié',
      'DTSTART;VALUE=DATE:20260501',
      'DTEND;VALUE=DATE:20260502',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    ),
    'multiday.ics': ics(
      'BEGIN:VEVENT',
      'UID:multiday@corpus',
      stamp,
      'SUMMARY:Séminaire à Kraków',
      'DTSTART;VALUE=DATE:20260610',
      'DTEND;VALUE=DATE:20260613',
      'END:VEVENT',
    ),
    'floating.ics': ics(
      'BEGIN:VEVENT',
      'UID:floating@corpus',
      stamp,
      'SUMMARY:Réveil (heure flottante)',
      'DTSTART:20260301T070000',
      'DURATION:PT30M',
      'END:VEVENT',
    ),
    'three-zones.ics': ics(
      ...TIMEZONES['America/New_York']!,
      ...TIMEZONES['Australia/Sydney']!,
      'BEGIN:VEVENT',
      'UID:ny-dst@corpus',
      stamp,
      'SUMMARY:Call New York over the DST change',
      'DTSTART;TZID=America/New_York:20260308T013000',
      'DTEND;TZID=Australia/Sydney:20260308T183000',
      'END:VEVENT',
    ),
    'sydney.ics': ics(
      ...TIMEZONES['Australia/Sydney']!,
      'BEGIN:VEVENT',
      'UID:sydney@corpus',
      stamp,
      'SUMMARY:Sydney standup',
      'DTSTART;TZID=Australia/Sydney:20260405T090000',
      'RRULE:FREQ=DAILY;COUNT=5',
      'DURATION:PT15M',
      'END:VEVENT',
    ),
    'attachment.ics': ics(
      'BEGIN:VEVENT',
      'UID:attachment@corpus',
      stamp,
      'SUMMARY:Plan with a 1 MB attachment',
      'DTSTART:20260401T120000Z',
      'DURATION:PT1H',
      `ATTACH;ENCODING=BASE64;VALUE=BINARY;FMTTYPE=application/octet-stream:${base64Lines(1_000_000)}`,
      'END:VEVENT',
    ),
    'task-due.ics': ics(
      'BEGIN:VTODO',
      'UID:task-due@corpus',
      stamp,
      'SUMMARY:Déclaration — à rendre',
      'DUE;VALUE=DATE:20260415',
      'PRIORITY:1',
      'STATUS:NEEDS-ACTION',
      'END:VTODO',
    ),
    'task-done.ics': ics(
      'BEGIN:VTODO',
      'UID:task-done@corpus',
      stamp,
      'SUMMARY:Commander les badges',
      'DUE:20260201T170000Z',
      'COMPLETED:20260130T101500Z',
      'PERCENT-COMPLETE:100',
      'STATUS:COMPLETED',
      'END:VTODO',
    ),
    'journal.ics': ics(
      'BEGIN:VJOURNAL',
      'UID:journal@corpus',
      stamp,
      'DTSTART;VALUE=DATE:20260102',
      'SUMMARY:Notes',
      'DESCRIPTION:Première entrée du journal',
      'END:VJOURNAL',
    ),
  };
}

/** A plain event for the big calendar. */
export function plainEvent(i: number, summary = `Rendez-vous n°${i} — café`): string {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
  return ics(
    'BEGIN:VEVENT',
    `UID:big-${i}@corpus`,
    'DTSTAMP:20260101T090000Z',
    `SUMMARY:${summary}`,
    `DTSTART:2026${month}${day}T${String(8 + (i % 9)).padStart(2, '0')}0000Z`,
    'DURATION:PT45M',
    'END:VEVENT',
  );
}

/** The hard contacts, by resource name. */
export function hardContacts(): Record<string, string> {
  const card = (...lines: string[]): string => [...lines].map(fold).join(CRLF) + CRLF;
  const photo = base64Lines(6_000);
  return {
    'v3-photo.vcf': card(
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:v3-photo@corpus',
      'FN:Jürgen Müller',
      'N:Müller;Jürgen;;;',
      'EMAIL;TYPE=INTERNET,WORK:jurgen@example.org',
      'TEL;TYPE=CELL:+49 151 0000000',
      'ADR;TYPE=WORK:;;Hauptstraße 1;Berlin;;10115;Deutschland',
      'ADR;TYPE=HOME:;;Rue de l’Église 3;Lyon;;69001;France',
      `PHOTO;ENCODING=b;TYPE=JPEG:${photo}`,
      'END:VCARD',
    ),
    'v4-photo.vcf': card(
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:4f1c2b8a-0000-4000-8000-000000000001',
      'FN:Søren Kierkegård',
      'N:Kierkegård;Søren;;;',
      'EMAIL;TYPE=home:soren@example.dk',
      'ADR;TYPE=home:;;Nørregade 10;København;;1165;Danmark',
      'ADR;TYPE=work:;;Vesterbrogade 2;København;;1620;Danmark',
      `PHOTO:data:image/png;base64,${photo}`,
      'END:VCARD',
    ),
    'v4-member.vcf': card(
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:4f1c2b8a-0000-4000-8000-000000000002',
      'FN:Олена Коваленко',
      'N:Коваленко;Олена;;;',
      'TEL;TYPE=cell:+380 44 000 0000',
      'END:VCARD',
    ),
    'group-v4.vcf': card(
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:urn:uuid:4f1c2b8a-0000-4000-8000-0000000000aa',
      'KIND:group',
      'FN:Équipe projet',
      'MEMBER:urn:uuid:4f1c2b8a-0000-4000-8000-000000000001',
      'MEMBER:urn:uuid:4f1c2b8a-0000-4000-8000-000000000002',
      'END:VCARD',
    ),
    'group-v3.vcf': card(
      'BEGIN:VCARD',
      'VERSION:3.0',
      'UID:group-v3@corpus',
      'FN:Famille',
      'N:Famille;;;;',
      'X-ADDRESSBOOKSERVER-KIND:group',
      'X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:v3-photo@corpus',
      'END:VCARD',
    ),
  };
}

/** A plain contact for the big address book. */
export function plainContact(i: number): string {
  return (
    [
      'BEGIN:VCARD',
      'VERSION:3.0',
      `UID:contact-${i}@corpus`,
      `FN:Personne ${i} Ñúñez`,
      `N:Ñúñez;Personne ${i};;;`,
      `EMAIL;TYPE=INTERNET:p${i}@example.org`,
      `TEL;TYPE=WORK:+33 1 00 00 ${String(i).padStart(4, '0')}`,
      'END:VCARD',
    ].join(CRLF) + CRLF
  );
}

async function request(
  method: string,
  url: string,
  authorization: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const response = await httpRequest(method, url, { Authorization: authorization, ...headers }, body);
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status}`);
}

/** Creates a calendar (MKCALENDAR) with a name, colour, description and components. */
export async function makeCalendar(
  t: DavTarget,
  name: string,
  displayName: string,
  color: string,
  description: string,
  components: string[],
): Promise<void> {
  const comps = components.map((c) => `<c:comp name="${c}"/>`).join('');
  await request(
    'MKCALENDAR',
    `${t.home}${name}/`,
    t.authorization,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:i="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>${displayName}</d:displayname><i:calendar-color>${color}</i:calendar-color><c:calendar-description>${description}</c:calendar-description><c:supported-calendar-component-set>${comps}</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>`,
    { 'Content-Type': 'application/xml' },
  );
}

/** Creates an address book (extended MKCOL). */
export async function makeAddressBook(
  t: DavTarget,
  name: string,
  displayName: string,
  description: string,
): Promise<void> {
  await request(
    'MKCOL',
    `${t.home}${name}/`,
    t.authorization,
    `<?xml version="1.0" encoding="utf-8"?><d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><a:addressbook/></d:resourcetype><d:displayname>${displayName}</d:displayname><a:addressbook-description>${description}</a:addressbook-description></d:prop></d:set></d:mkcol>`,
    { 'Content-Type': 'application/xml' },
  );
}

/** Writes (or replaces) one item. */
export async function putItem(t: DavTarget, collection: string, name: string, data: string): Promise<void> {
  const type = name.endsWith('.vcf') ? 'text/vcard; charset=utf-8' : 'text/calendar; charset=utf-8';
  await request('PUT', `${t.home}${collection}/${name}`, t.authorization, data, { 'Content-Type': type });
}

/** Deletes one item. */
export async function deleteItem(t: DavTarget, collection: string, name: string): Promise<void> {
  await request('DELETE', `${t.home}${collection}/${name}`, t.authorization);
}

async function putAll(t: DavTarget, collection: string, items: [string, string][]): Promise<void> {
  for (let i = 0; i < items.length; i += 16) {
    await Promise.all(items.slice(i, i + 16).map(([name, data]) => putItem(t, collection, name, data)));
  }
}

/** The big calendar of the corpus (2,000 events in the acceptance figure). */
export const BIG_CALENDAR: SeededCollection = {
  kind: 'calendar',
  name: 'big',
  displayName: 'Agenda chargé',
  color: '#00FF00FF',
  description: '2,000 events',
  components: ['VEVENT'],
};

/** The big address book of the corpus. */
export const BIG_ADDRESS_BOOK: SeededCollection = {
  kind: 'addressbook',
  name: 'people',
  displayName: 'Annuaire',
  description: 'Beaucoup de monde',
};

/** `count` plain events named big-N.ics. */
export function bigEvents(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i): [string, string] => [`big-${i}.ics`, plainEvent(i)]);
}

/** `count` plain contacts named contact-N.vcf. */
export function bigContacts(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i): [string, string] => [`contact-${i}.vcf`, plainContact(i)]);
}

/** Writes a collection and its items: whole through the seed when there is one, else MKCALENDAR/MKCOL and PUTs. */
export async function writeWhole(
  t: DavTarget,
  seed: CollectionSeed | undefined,
  collection: SeededCollection,
  items: [string, string][],
): Promise<void> {
  if (seed) return seed(collection, items);
  if (collection.kind === 'calendar') {
    await makeCalendar(
      t,
      collection.name,
      collection.displayName,
      collection.color ?? '',
      collection.description,
      collection.components ?? ['VEVENT'],
    );
  } else {
    await makeAddressBook(t, collection.name, collection.displayName, collection.description);
  }
  await putAll(t, collection.name, items);
}

/** Writes the whole corpus: hard calendars and contacts, the same UID in two calendars, the big collections, the oversize item. */
export async function loadDavCorpus(t: DavTarget, options: DavCorpusOptions): Promise<DavCorpusCounts> {
  const counts: DavCorpusCounts = {};
  await makeCalendar(t, 'work', 'Travail — Büro', '#3A87ADFF', 'Réunions et tâches', [
    'VEVENT',
    'VTODO',
    'VJOURNAL',
  ]);
  const hard = Object.entries(hardEvents());
  await putAll(t, 'work', hard);
  counts.work = hard.length;
  await makeCalendar(t, 'personal', 'Personnel ♥', '#E0115FFF', 'Vie privée', ['VEVENT']);
  const personal: [string, string][] = [
    [
      'same-uid.ics',
      hardEvents()['allday.ics']!.replace('SUMMARY:Jour férié', 'SUMMARY:Jour férié (copie personnelle)'),
    ],
  ];
  if (options.oversizeBytes > 0) {
    personal.push([
      'oversize.ics',
      ics(
        'BEGIN:VEVENT',
        'UID:oversize@corpus',
        'DTSTAMP:20260101T090000Z',
        'SUMMARY:Too large for the target',
        'DTSTART:20260402T120000Z',
        'DURATION:PT1H',
        `ATTACH;ENCODING=BASE64;VALUE=BINARY:${base64Lines(options.oversizeBytes)}`,
        'END:VEVENT',
      ),
    ]);
  }
  await putAll(t, 'personal', personal);
  counts.personal = personal.length;
  if (options.bigEvents > 0) {
    await writeWhole(t, options.seed, BIG_CALENDAR, bigEvents(options.bigEvents));
    counts.big = options.bigEvents;
  }
  await makeAddressBook(t, 'contacts', 'Carnet d’adresses', 'Collègues et famille');
  const cards = Object.entries(hardContacts());
  await putAll(t, 'contacts', cards);
  counts.contacts = cards.length;
  if (options.bigContacts > 0) {
    await writeWhole(t, options.seed, BIG_ADDRESS_BOOK, bigContacts(options.bigContacts));
    counts.people = options.bigContacts;
  }
  return counts;
}
