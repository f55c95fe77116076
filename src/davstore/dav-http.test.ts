import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { DavHttp } from './dav-http.js';
import type { DavEndpoint } from './dav-endpoint.js';

// A server that resets the connection of the first `resets` requests, then answers.
let resets = 0;
let seen = 0;
let server: http.Server;
let origin = '';
before(async () => {
  server = http.createServer((req, res) => {
    seen++;
    if (resets > 0) {
      resets--;
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function endpoint(): DavEndpoint {
  return {
    url: new URL(`${origin}/`),
    user: 'u',
    login: { kind: 'basic', user: 'u', password: 'p' },
    asAdmin: false,
    insecure: false,
  };
}

test('a reset connection is sent again, up to three times, then the loss is the error', async () => {
  const dav = new DavHttp(endpoint(), 4);
  try {
    resets = 2;
    seen = 0;
    const reply = await dav.request('PUT', `${origin}/c/a.ics`, { 'If-None-Match': '*' }, 'BEGIN:VCALENDAR');
    assert.equal(reply.status, 200);
    assert.equal(seen, 3);

    resets = 10;
    seen = 0;
    await assert.rejects(
      dav.request('GET', `${origin}/c/a.ics`),
      (error: unknown) => error instanceof TrancheError && error.type === 'connection-lost',
    );
    assert.equal(seen, 4);
  } finally {
    await dav.close();
  }
});
