import { startDovecot } from '/work/main/dist/testing/dovecot.js';
import { ImapFlow } from 'imapflow';
const t0 = Date.now();
const s = await startDovecot({});
console.log('started', Date.now() - t0, s.url);
const u = await s.addUser('alice');
const c = new ImapFlow({ host: s.host, port: s.port, secure: false, doSTARTTLS: false, auth: { user: u.user, pass: u.password }, logger: false });
await c.connect();
console.log([...c.capabilities.keys()].join(' '));
console.log((await c.list()).map((l) => l.path + ' ' + [...l.flags].join(',') + ' ' + l.specialUse));
const m = new ImapFlow({ host: s.host, port: s.port, secure: false, doSTARTTLS: false, auth: { user: s.masterUser, pass: s.masterPassword, authzid: 'alice' }, logger: false });
await m.connect(); console.log('master ok', m.authenticated); await m.logout();
await c.logout();
await s.disableUser('alice');
const d = new ImapFlow({ host: s.host, port: s.port, secure: false, doSTARTTLS: false, auth: { user: u.user, pass: u.password }, logger: false });
try { await d.connect(); console.log('BAD: disabled logged in'); } catch (e) { console.log('disabled:', e.message, e.responseText, e.serverResponseCode, e.authenticationFailed); }
await s.stop();
console.log('stopped', Date.now() - t0);
