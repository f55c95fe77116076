// Benchmark: calendars and contacts, tranche's DAV copy against a plain sequential GET/PUT copy
// (PROPFIND the collection, then GET and PUT each item one after the other) in the same run, on
// loopback and through a proxy adding 10 ms each way (20 ms round trip).
// Usage: npm run build && node scripts/bench-dav.mjs [EVENTS] [CONTACTS]   (default 2000 2000)
import { startRadicale, basicAuth } from '../dist/testing/radicale.js';
import { startXandikos } from '../dist/testing/xandikos.js';
import {
  makeAddressBook,
  makeCalendar,
  plainContact,
  plainEvent,
  putItem,
} from '../dist/testing/dav-corpus.js';
import { httpRequest } from '../dist/testing/http-request.js';
import { startTcpProxy } from '../dist/testing/tcp-proxy.js';
import { runDavSync } from '../dist/testing/dav-fixture.js';
import { tempStatePath } from '../dist/testing/sync-fixture.js';

const EVENTS = Number(process.argv[2] ?? 2000);
const CONTACTS = Number(process.argv[3] ?? 2000);
const ONE_WAY_DELAY_MS = 10;

async function load(home, auth) {
  const t = { home, authorization: auth };
  await makeCalendar(t, 'events', 'Events', '#112233FF', 'bench', ['VEVENT']);
  await makeAddressBook(t, 'people', 'People', 'bench');
  const put = async (col, items) => {
    for (let i = 0; i < items.length; i += 8)
      await Promise.all(items.slice(i, i + 8).map(([n, d]) => putItem(t, col, n, d)));
  };
  await put(
    'events',
    Array.from({ length: EVENTS }, (_, i) => [`e${i}.ics`, plainEvent(i)]),
  );
  await put(
    'people',
    Array.from({ length: CONTACTS }, (_, i) => [`c${i}.vcf`, plainContact(i)]),
  );
}

/** The plain copy: one request at a time, GET then PUT per item. */
async function plainCopy(sourceOrigin, sourceHome, auth, targetOrigin, targetHomes) {
  for (const [col, targetHome, mk] of [
    ['events', targetHomes.calendar, 'MKCALENDAR'],
    ['people', targetHomes.addressbook, 'MKCOL'],
  ]) {
    const body =
      mk === 'MKCOL'
        ? '<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><a:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>'
        : undefined;
    await httpRequest(mk, `${targetOrigin}${targetHome}${col}/`, { 'Content-Type': 'application/xml' }, body);
    const list = await httpRequest(
      'PROPFIND',
      `${sourceOrigin}${sourceHome}${col}/`,
      { Authorization: auth, Depth: '1', 'Content-Type': 'application/xml' },
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    );
    const hrefs = [...list.text.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)]
      .map((m) => m[1])
      .filter((h) => !h.endsWith('/'));
    for (const href of hrefs) {
      const item = await httpRequest('GET', `${sourceOrigin}${href}`, { Authorization: auth });
      const name = href.split('/').pop();
      const put = await httpRequest(
        'PUT',
        `${targetOrigin}${targetHome}${col}/${name}`,
        { 'Content-Type': item.headers['content-type'] ?? 'text/calendar', 'If-None-Match': '*' },
        item.text,
      );
      if (put.status >= 300) throw new Error(`plain copy: PUT ${name}: ${put.status}`);
    }
  }
}

const source = await startRadicale();
const servers = [source];
try {
  const user = await source.addUser('bench');
  const auth = basicAuth(user);
  let t0 = Date.now();
  await load(`${source.url}/bench/`, auth);
  console.log(
    `loaded ${EVENTS} events and ${CONTACTS} contacts into Radicale in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  for (const wan of [false, true]) {
    const label = wan ? '20 ms round trip' : 'loopback';
    const row = {};
    for (const who of ['plain', 'tranche']) {
      const target = await startXandikos('bench');
      servers.push(target);
      const sp = wan ? await startTcpProxy('127.0.0.1', source.port, ONE_WAY_DELAY_MS) : undefined;
      const tp = wan ? await startTcpProxy('127.0.0.1', target.port, ONE_WAY_DELAY_MS) : undefined;
      const sOrigin = sp ? `http://127.0.0.1:${sp.port}` : source.url;
      const tOrigin = tp ? `http://127.0.0.1:${tp.port}` : target.url;
      t0 = Date.now();
      if (who === 'plain') {
        await plainCopy(sOrigin, '/bench/', auth, tOrigin, {
          calendar: '/bench/calendars/',
          addressbook: '/bench/contacts/',
        });
      } else {
        const report = await runDavSync(
          {
            url: new URL(`${sOrigin}/`),
            user: 'bench',
            login: { kind: 'basic', user: user.user, password: user.password },
            asAdmin: false,
            insecure: false,
          },
          {
            url: new URL(`${tOrigin}/`),
            user: 'bench',
            login: { kind: 'basic', user: 'x', password: 'x' },
            asAdmin: false,
            insecure: false,
          },
          tempStatePath(),
        );
        if (report.status !== 'done')
          throw new Error(`tranche: ${JSON.stringify(report.error ?? report.skipped.slice(0, 3))}`);
      }
      row[who] = (Date.now() - t0) / 1000;
      await sp?.close();
      await tp?.close();
    }
    console.log(
      `${label}: tranche ${row.tranche.toFixed(1)} s, plain sequential GET/PUT ${row.plain.toFixed(1)} s, ratio ${(row.tranche / row.plain).toFixed(2)}x`,
    );
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
