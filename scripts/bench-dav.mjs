// Benchmark: calendars and contacts, tranche's DAV copy against a plain sequential GET/PUT copy
// (PROPFIND the collection, then GET and PUT each item one after the other) in the same run, on
// loopback and through a proxy adding 10 ms each way (20 ms round trip).
// Usage: npm run build && node scripts/bench-dav.mjs [EVENTS] [CONTACTS] [--runs N]
//          [--target xandikos|radicale] [--concurrency N[,N...]] [--net loopback,wan]
// Defaults: 2000 2000, 5 runs, Xandikos, 8 in flight, both networks. The source is a real Radicale
// whose two collections are written straight into its storage (src/testing/radicale-storage.ts):
// loaded over HTTP they took 22 minutes. Each copy goes to a fresh target; the order of the two
// copies alternates from run to run. With the default sizes, target and networks the figures
// replace the "DAV copy" section of docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startRadicale, basicAuth } from '../dist/testing/radicale.js';
import { startXandikos } from '../dist/testing/xandikos.js';
import { radicaleSeed } from '../dist/testing/radicale-storage.js';
import { BIG_ADDRESS_BOOK, BIG_CALENDAR, bigContacts, bigEvents } from '../dist/testing/dav-corpus.js';
import { httpRequest } from '../dist/testing/http-request.js';
import { startTcpProxy } from '../dist/testing/tcp-proxy.js';
import { radicaleEndpoint, runDavSync, xandikosEndpoint } from '../dist/testing/dav-fixture.js';
import { tempStatePath } from '../dist/testing/sync-fixture.js';
import { median, writeSection } from './bench-lib.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    target: { type: 'string', default: 'xandikos' },
    concurrency: { type: 'string', default: '8' },
    net: { type: 'string', default: 'loopback,wan' },
    'side-by-side': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(positionals[0] ?? 2000);
const CONTACTS = Number(positionals[1] ?? 2000);
const RUNS = Number(values.runs);
const TARGET = values.target;
const CONCURRENCY = values.concurrency.split(',').map(Number);
const NETS = values.net.split(',');
const ONE_WAY_DELAY_MS = 10;
// Run the copies of a run at the same time (each to its own target): on a shared machine whose load
// moves by the minute, both then see the same load. The source's CPU is then shared and not shown.
const SIDE_BY_SIDE = values['side-by-side'];
const ITEMS = EVENTS + CONTACTS;
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(', ');

/** CPU seconds (user + system) a server process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop().trim().split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A fresh target: its tranche endpoint (given an origin), and where the plain copy writes. */
async function startTarget() {
  if (TARGET === 'xandikos') {
    const server = await startXandikos('bench');
    return {
      server,
      endpoint: (origin) => ({ ...xandikosEndpoint(server), url: new URL(`${origin}/`) }),
      plain: { calendars: '/bench/calendars/', addressbooks: '/bench/contacts/', auth: 'Basic eDp4' },
    };
  }
  const server = await startRadicale();
  const user = await server.addUser('bench');
  return {
    server,
    endpoint: (origin) => ({ ...radicaleEndpoint(server, user), url: new URL(`${origin}/`) }),
    plain: { calendars: '/bench/', addressbooks: '/bench/', auth: basicAuth(user) },
  };
}

/**
 * The plain copy: one request at a time, GET then PUT per item, a connection per request (Radicale
 * answers HTTP/1.0 and closes anyway; a keep-alive agent through the 20 ms proxy hung here).
 */
async function plainCopy(sourceOrigin, auth, targetOrigin, plain) {
  const send = httpRequest;
  for (const [col, home, mk] of [
    [BIG_CALENDAR.name, plain.calendars, 'MKCALENDAR'],
    [BIG_ADDRESS_BOOK.name, plain.addressbooks, 'MKCOL'],
  ]) {
    const body =
      mk === 'MKCOL'
        ? '<?xml version="1.0"?><d:mkcol xmlns:d="DAV:" xmlns:a="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><a:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>'
        : undefined;
    const made = await send(
      mk,
      `${targetOrigin}${home}${col}/`,
      body ? { Authorization: plain.auth, 'Content-Type': 'application/xml' } : { Authorization: plain.auth },
      body,
    );
    if (made.status >= 300) throw new Error(`plain copy: ${mk} ${col}: ${made.status}`);
    const list = await send(
      'PROPFIND',
      `${sourceOrigin}/bench/${col}/`,
      { Authorization: auth, Depth: '1', 'Content-Type': 'application/xml' },
      '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>',
    );
    const hrefs = [...list.text.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)]
      .map((m) => m[1])
      .filter((h) => !h.endsWith('/'));
    for (const href of hrefs) {
      const item = await send('GET', `${sourceOrigin}${href}`, { Authorization: auth });
      const name = href.split('/').pop();
      const put = await send(
        'PUT',
        `${targetOrigin}${home}${col}/${name}`,
        {
          Authorization: plain.auth,
          'Content-Type': item.headers['content-type'] ?? 'text/calendar',
          'If-None-Match': '*',
        },
        item.text,
      );
      if (put.status >= 300) throw new Error(`plain copy: PUT ${name}: ${put.status}`);
    }
  }
}

/** Items on the target afterwards (both copies must leave all of them there). */
async function countOnTarget(targetOrigin, plain) {
  let n = 0;
  for (const url of [
    `${targetOrigin}${plain.calendars}${BIG_CALENDAR.name}/`,
    `${targetOrigin}${plain.addressbooks}${BIG_ADDRESS_BOOK.name}/`,
  ]) {
    const r = await httpRequest('PROPFIND', url, { Authorization: plain.auth, Depth: '1' });
    n += [...r.text.matchAll(/<(?:\w+:)?href>([^<]+)</g)].filter((m) => !m[1].endsWith('/')).length;
  }
  return n;
}

/** One copy by `who` ('plain' or a concurrency for tranche) to a fresh target; seconds. */
async function oneCopy(source, user, who, wan) {
  const target = await startTarget();
  const sp = wan ? await startTcpProxy('127.0.0.1', source.port, ONE_WAY_DELAY_MS) : undefined;
  const tp = wan ? await startTcpProxy('127.0.0.1', target.server.port, ONE_WAY_DELAY_MS) : undefined;
  const sOrigin = sp ? `http://127.0.0.1:${sp.port}` : source.url;
  const tOrigin = tp ? `http://127.0.0.1:${tp.port}` : target.server.url;
  try {
    const sourceCpu0 = cpuSeconds(source.pid);
    const targetCpu0 = cpuSeconds(target.server.pid);
    const t0 = process.hrtime.bigint();
    if (who === 'plain') {
      await plainCopy(sOrigin, basicAuth(user), tOrigin, target.plain);
    } else {
      const sourceEndpoint = { ...radicaleEndpoint(source, user), url: new URL(`${sOrigin}/`) };
      const report = await runDavSync(sourceEndpoint, target.endpoint(tOrigin), tempStatePath(), {
        concurrency: who,
      });
      if (report.status !== 'done')
        throw new Error(`tranche: ${JSON.stringify(report.error ?? report.skipped.slice(0, 3))}`);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = {
      source: cpuSeconds(source.pid) - sourceCpu0,
      target: cpuSeconds(target.server.pid) - targetCpu0,
    };
    const there = await countOnTarget(target.server.url, target.plain);
    if (there !== ITEMS) throw new Error(`${who}: ${there} of ${ITEMS} items on the target`);
    return { seconds, cpu };
  } finally {
    await sp?.close();
    await tp?.close();
    await target.server.stop();
  }
}

const source = await startRadicale();
try {
  const user = await source.addUser('bench');
  const seed = radicaleSeed(source, user);
  let t0 = Date.now();
  await seed(BIG_CALENDAR, bigEvents(EVENTS));
  await seed(BIG_ADDRESS_BOOK, bigContacts(CONTACTS));
  const loadSeconds = (Date.now() - t0) / 1000;
  console.log(
    `loaded ${EVENTS} events and ${CONTACTS} contacts into Radicale in ${loadSeconds.toFixed(1)} s`,
  );
  const loadBefore = load();
  const started = Date.now();
  const rows = [];
  for (const net of NETS) {
    const wan = net === 'wan';
    const who = ['plain', ...CONCURRENCY];
    const times = new Map(who.map((w) => [w, []]));
    const cpus = new Map(who.map((w) => [w, { source: [], target: [] }]));
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? who : [...who].reverse();
      const results = SIDE_BY_SIDE ? await Promise.all(order.map((w) => oneCopy(source, user, w, wan))) : [];
      for (const [i, w] of order.entries()) {
        const { seconds, cpu } = SIDE_BY_SIDE ? results[i] : await oneCopy(source, user, w, wan);
        times.get(w).push(seconds);
        cpus.get(w).source.push(cpu.source);
        cpus.get(w).target.push(cpu.target);
        console.log(
          `${net} run ${run + 1} ${w === 'plain' ? 'plain' : `tranche x${w}`}: ${seconds.toFixed(1)} s, server CPU: source ${cpu.source.toFixed(1)} s, target ${cpu.target.toFixed(1)} s (load ${load()})`,
        );
      }
    }
    rows.push({ net, times, cpus });
  }
  const loadAfter = load();
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const fmt = (xs) =>
    `${median(xs).toFixed(1)} s (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  const lines = [];
  for (const { net, times, cpus } of rows) {
    const plain = median(times.get('plain'));
    const label = net === 'wan' ? '20 ms round trip' : 'loopback';
    for (const w of ['plain', ...CONCURRENCY]) {
      const t = median(times.get(w));
      const c = cpus.get(w);
      lines.push(
        `| ${label} | ${w === 'plain' ? 'plain sequential GET/PUT' : `tranche, ${w} in flight`} | ${fmt(times.get(w))} | ${w === 'plain' ? '1.00x' : `${(plain / t).toFixed(2)}x`} | ${(ITEMS / t).toFixed(1)} | ${median(c.target).toFixed(1)} s | ${SIDE_BY_SIDE ? 'shared' : `${median(c.source).toFixed(1)} s`} |`,
      );
    }
  }
  const table = [
    '| network | copy | time, median (min–max) | speed-up over plain | items/s | target server CPU | source server CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
  console.log(table);
  const text = `## Calendars and contacts: tranche's DAV copy against a plain GET/PUT copy

Measured by \`node scripts/bench-dav.mjs ${EVENTS} ${CONTACTS} --runs ${RUNS} --target ${TARGET} --concurrency ${CONCURRENCY.join(',')} --net ${NETS.join(',')}${SIDE_BY_SIDE ? ' --side-by-side' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}. Source: Debian's Radicale 3.1.8 with ${EVENTS.toLocaleString('en')} events in one calendar and ${CONTACTS.toLocaleString('en')} contacts in one address book (seeded into its storage in ${loadSeconds.toFixed(0)} s); target: a fresh ${TARGET === 'xandikos' ? 'Xandikos 0.2.8 (Debian)' : 'Radicale 3.1.8'} for every copy. Medians of ${RUNS} runs (${SIDE_BY_SIDE ? 'the copies of a run side by side, at the same time' : 'the copies alternate in order'}), ${minutes} min in all. Load average (1, 5, 15 min) ${loadBefore} before and ${loadAfter} after: the machine is shared with other work, so absolute times move; the ratio, taken in the same run, moves less. tranche runs with ${CONCURRENCY.join(' or ')} requests in flight; the plain copy one request at a time (PROPFIND, then GET and PUT per item, a connection per request). Every copy is checked: tranche's report done with nothing skipped, every plain \`PUT\` answered 2xx, and all ${ITEMS.toLocaleString('en')} items counted on the target afterwards. Server CPU is read from /proc.

${table}`;
  if (EVENTS === 2000 && CONTACTS === 2000 && TARGET === 'xandikos' && NETS.length === 2)
    writeSection('DAV copy', text);
  else console.log(`\n${text}`);
} finally {
  await source.stop();
}
