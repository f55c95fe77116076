import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { openStateStore } from '../../state/open-state-store.js';
import type { Database } from '../../state/schema.js';
import { SecretBox } from '../../state/secrets/secret-box.js';
import { generateSecretKey } from '../../state/secrets/secret-key.js';
import { storeBackends } from '../../testing/store-backends.js';
import { tempStatePath } from '../../testing/sync-fixture.js';
import { DEFAULT_LIMITS, Endpoints } from '../endpoints/endpoints.js';
import { importMailboxes, type MailboxImportOptions } from './import-mailboxes.js';
import { importOrganisations } from './import-organisations.js';

const SECRET = 'pw-never-shown-71c2';
const dir = mkdtempSync(join(tmpdir(), 'tranche-import-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `input-${++n}.csv`);
  writeFileSync(path, text);
  return path;
}
const defaults: MailboxImportOptions = {
  format: undefined,
  dryRun: false,
  rejectsFile: undefined,
  organisation: undefined,
  sourceEndpoint: undefined,
  targetEndpoint: undefined,
};

async function programme(location: string): Promise<{ db: Kysely<Database>; box: SecretBox }> {
  const db = await openStateStore(location);
  const box = new SecretBox(generateSecretKey());
  const endpoints = new Endpoints(db, box);
  const base = {
    ...DEFAULT_LIMITS,
    insecure: false,
    allowPlaintext: false,
    admin: undefined,
    loginTemplate: undefined,
    adminPassword: undefined,
  };
  await endpoints.add({ ...base, name: 'old', url: 'imaps://old.example.org' });
  await endpoints.add({ ...base, name: 'new', url: 'imaps://new.example.org' });
  await importOrganisations(
    db,
    file(
      'code,name,admin_contacts,pilot,blackout_dates\nNHS-A,Trust A,it@a.nhs.uk;ops@a.nhs.uk,yes,2027-01-01;2026-12-25\nNHS-B,"Trust B, North",,no,\n',
    ),
    false,
  );
  return { db, box };
}

const count = async (db: Kysely<Database>): Promise<number> =>
  Number(
    (
      await db
        .selectFrom('mailbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const [backend, location] of storeBackends()) {
  describe(`import on ${backend}`, () => {
    test("tranche's CSV: imported, passwords sealed, a re-import updates instead of duplicating", async () => {
      const { db, box } = await programme(await location());
      try {
        const csv = [
          'address,organisation,display_name,source_endpoint,source_user,source_password,target_endpoint,target_user,target_password,notify_address',
          `alice@a.nhs.uk,NHS-A,"Smith, Alice",old,alice,${SECRET},new,alice@a.nhs.uk,,`,
          `Björn@B.nhs.uk,NHS-B,Björn Ødegård,old,bjorn,,new,bjorn@b.nhs.uk,,bjorn.home@example.org`,
        ].join('\n');
        const first = await importMailboxes(db, box, file(csv), defaults);
        assert.deepEqual([first.format, first.rows, first.inserted, first.updated], ['tranche', 2, 2, 0]);
        const alice = await db
          .selectFrom('mailbox')
          .selectAll()
          .where('address', '=', 'alice@a.nhs.uk')
          .executeTakeFirstOrThrow();
        assert.equal(alice.display_name, 'Smith, Alice');
        assert.equal(alice.notify_address, 'alice@a.nhs.uk');
        assert.ok(alice.source_secret?.startsWith('v1:') && !alice.source_secret.includes(SECRET));
        assert.equal(box.open(alice.source_secret!), SECRET);
        assert.equal(alice.target_secret, null);
        const again = await importMailboxes(
          db,
          box,
          file(csv.replace('Smith, Alice', 'Alice Smith')),
          defaults,
        );
        assert.deepEqual([again.inserted, again.updated], [0, 2]);
        assert.equal(await count(db), 2);
        assert.equal(
          (
            await db
              .selectFrom('mailbox')
              .select('display_name')
              .where('address', '=', 'alice@a.nhs.uk')
              .executeTakeFirstOrThrow()
          ).display_name,
          'Alice Smith',
        );
      } finally {
        await db.destroy();
      }
    });

    test("Exchange Online's IMAP CSV and imapsync's bulk list", async () => {
      const { db, box } = await programme(await location());
      try {
        const exchange = file(
          `EmailAddress,UserName,Password\ncarol@a.nhs.uk,A\\carol,${SECRET}\ndave@a.nhs.uk,A\\dave,x\n`,
        );
        await assert.rejects(
          importMailboxes(db, box, exchange, defaults),
          /--source-endpoint and --target-endpoint/,
        );
        const ex = await importMailboxes(db, box, exchange, {
          ...defaults,
          sourceEndpoint: 'old',
          targetEndpoint: 'new',
          organisation: 'NHS-A',
        });
        assert.deepEqual([ex.format, ex.inserted], ['exchange', 2]);
        const carol = await db
          .selectFrom('mailbox')
          .selectAll()
          .where('address', '=', 'carol@a.nhs.uk')
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          [carol.source_user, carol.target_user, carol.organisation],
          ['A\\carol', 'carol@a.nhs.uk', 'NHS-A'],
        );

        const bulk = file(
          `old.example.org;erin;${SECRET};new.example.org;erin@b.nhs.uk;pw2\nOLD.example.org;frank;p;new.example.org;frank@b.nhs.uk;p\n`,
        );
        const im = await importMailboxes(db, box, bulk, defaults);
        assert.deepEqual([im.format, im.inserted], ['imapsync', 2]);
        const erin = await db
          .selectFrom('mailbox')
          .selectAll()
          .where('address', '=', 'erin@b.nhs.uk')
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          [erin.source_endpoint, erin.target_endpoint, erin.source_user],
          ['old', 'new', 'erin'],
        );
        await assert.rejects(
          importMailboxes(db, box, file('old.example.org;g;p;elsewhere.org;g@b.nhs.uk;p\n'), defaults),
          /line 1, column 'host2': no endpoint has this host/,
        );
      } finally {
        await db.destroy();
      }
    });

    test('a bad row stops the import with its line and column, and nothing is half-imported', async () => {
      const { db, box } = await programme(await location());
      try {
        const header = 'address,source_endpoint,source_user,target_endpoint,target_user';
        const cases: [string, RegExp][] = [
          [
            `${header}\na@x.org,old,a,new,a\nnot-an-address,old,b,new,b\n`,
            /line 3, column 'address': is not an e-mail address/,
          ],
          [`${header}\na@x.org,old,a,new,a\nb@x.org,old,,new,b\n`, /line 3, column 'source_user': is empty/],
          [
            `${header}\na@x.org,old,a,nowhere,a\n`,
            /line 2, column 'target_endpoint': no endpoint has this name/,
          ],
          [`${header},colour\na@x.org,old,a,new,a,red\n`, /line 1, column '#6': not a known column name/],
          [
            `address,organisation,source_endpoint,source_user,target_endpoint,target_user\na@x.org,NHS-Z,old,a,new,a\n`,
            /column 'organisation': no organisation has this code/,
          ],
          [
            `${header}\na@x.org,old,"a,new,a\n`,
            /line \d+, column 'source_user': a quoted field is never closed/,
          ],
        ];
        for (const [csv, expected] of cases) {
          await assert.rejects(importMailboxes(db, box, file(csv), defaults), expected, csv);
          assert.equal(await count(db), 0, `nothing imported from:\n${csv}`);
        }
      } finally {
        await db.destroy();
      }
    });

    test('hostile addresses are refused with line and column: HTML, a name, NUL, invalid UTF-8, 1 MB', async () => {
      const { db, box } = await programme(await location());
      try {
        const header = 'address,source_endpoint,source_user,target_endpoint,target_user\n';
        const cases: [Buffer, RegExp][] = [
          [
            Buffer.from(`${header}<img src=x>@x.org,old,a,new,a\n`),
            /line 2, column 'address': holds angle brackets/,
          ],
          [
            Buffer.from(`${header}"Boss <boss@x.org>",old,a,new,a\n`),
            /line 2, column 'address': holds angle brackets/,
          ],
          [
            Buffer.from(`${header}a@x.org,old,a,new,a\nb\u0000@x.org,old,b,new,b\n`),
            /line 3, column 'address': holds a control/,
          ],
          [
            Buffer.concat([
              Buffer.from(`${header}caf`),
              Buffer.from([0xc3, 0x28]),
              Buffer.from('@x.org,old,a,new,a\n'),
            ]),
            /line 2, column 'address': is not valid UTF-8/,
          ],
          [
            Buffer.from(`${header}${'a'.repeat(1 << 20)}@x.org,old,a,new,a\n`),
            /line 2, column 'address': is longer than 254/,
          ],
        ];
        for (const [bytes, expected] of cases) {
          const path = file('');
          writeFileSync(path, bytes);
          await assert.rejects(importMailboxes(db, box, path, defaults), expected);
          assert.equal(await count(db), 0);
        }
      } finally {
        await db.destroy();
      }
    });

    test('dry run writes nothing; --skip-invalid imports the rest and writes the rejects without passwords', async () => {
      const { db, box } = await programme(await location());
      try {
        const csv = file(
          `address,source_endpoint,source_user,source_password,target_endpoint,target_user\na@x.org,old,a,${SECRET},new,a\nbroken,old,b,${SECRET},new,b\nc@x.org,old,c,p,new,c\n`,
        );
        await assert.rejects(importMailboxes(db, box, csv, { ...defaults, dryRun: true }), /line 3/);
        const good = file(
          `address,source_endpoint,source_user,target_endpoint,target_user\na@x.org,old,a,new,a\n`,
        );
        const dry = await importMailboxes(db, box, good, { ...defaults, dryRun: true });
        assert.deepEqual([dry.inserted, dry.dryRun], [1, true]);
        assert.equal(await count(db), 0);
        const rejects = join(dir, `rejects-${backend}.csv`);
        const skipped = await importMailboxes(db, box, csv, { ...defaults, rejectsFile: rejects });
        assert.deepEqual([skipped.rows, skipped.inserted, skipped.rejected], [3, 2, 1]);
        const text = readFileSync(rejects, 'utf8');
        assert.equal(
          text,
          'line,column,reason\r\n3,address,is not an e-mail address (address must contain one @ character)\r\n',
        );
        assert.ok(!text.includes(SECRET));
      } finally {
        await db.destroy();
      }
    });
  });
}

test('organisations: pilot, blackout dates and contacts validated with line and column', async () => {
  const db = await openStateStore(tempStatePath());
  try {
    await assert.rejects(
      importOrganisations(db, file('code,name,pilot\nA,Alpha,maybe\n'), false),
      /line 2, column 'pilot'/,
    );
    await assert.rejects(
      importOrganisations(db, file('code,name,blackout_dates\nA,Alpha,2027-02-30\n'), false),
      /line 2, column 'blackout_dates'/,
    );
    await assert.rejects(
      importOrganisations(db, file('code,name,admin_contacts\nA,Alpha,nobody\n'), false),
      /column 'admin_contacts'/,
    );
    const report = await importOrganisations(
      db,
      file('code,name,pilot,blackout_dates\nA,Alpha,yes,2027-01-02 2027-01-01\n'),
      false,
    );
    assert.deepEqual([report.inserted, report.updated], [1, 0]);
    const row = await db.selectFrom('organisation').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.pilot, row.blackout_dates], [1, '2027-01-01;2027-01-02']);
    assert.equal((await importOrganisations(db, file('code,name\nA,Alpha renamed\n'), false)).updated, 1);
  } finally {
    await db.destroy();
  }
});
