// The SMTP channel against a real SMTP server (smtp-server, started per test on a loopback port),
// plus the deterministic parts: TLS policy, password source, rate limiter, error classification.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TrancheError } from '../../errors/tranche-error.js';
import type { NoticesConfig } from '../../programme/config/config.js';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../../testing/smtp-sink.js';
import type { OutgoingNotice } from '../channel.js';
import { classifySmtpError } from './classify-smtp-error.js';
import {
  createSmtpChannel,
  readSmtpPassword,
  SendRateLimiter,
  smtpTransportOptions,
  type SmtpChannelOptions,
  type SmtpConfig,
} from './smtp-channel.js';

function notices(smtp: Partial<SmtpConfig> & { url: string }): NoticesConfig {
  return {
    from: 'Mail move <moves@example.org>',
    helpdesk: { name: 'Helpdesk', address: 'help@example.org', phone: undefined },
    warningDays: 14,
    reminderDays: 1,
    digestTime: '07:00',
    templatesDir: undefined,
    smtp: { user: undefined, passwordFile: undefined, insecure: false, ratePerMinute: 600, ...smtp },
  };
}

let counter = 0;
function notice(overrides: Partial<OutgoingNotice> = {}): OutgoingNotice {
  counter++;
  return {
    messageId: `<notice-${counter}.warning.2027-03-01@tranche.example.org>`,
    from: 'Mail move <moves@example.org>',
    to: ['ann@example.org', 'Helpdesk <help@example.org>'],
    subject: `Your mailbox moves on 1 March (${counter})`,
    text: 'Your mailbox moves on 1 March.\nNothing to do.',
    html: '<p>Your mailbox moves on <b>1 March</b>.</p>',
    ...overrides,
  };
}

function passwordFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tranche-smtp-')), 'smtp-password');
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/** Runs body with a fresh sink and a channel to it, then closes both (also on failure). */
async function withSink(
  sinkOptions: SmtpSinkOptions,
  smtp: (sink: SmtpSink) => Partial<SmtpConfig> & { url?: string },
  body: (sink: SmtpSink, channel: ReturnType<typeof createSmtpChannel>) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
  channelOptions: SmtpChannelOptions = {},
): Promise<void> {
  const sink = await startSmtpSink(sinkOptions);
  try {
    const channel = createSmtpChannel(notices({ url: sink.url, ...smtp(sink) }), env, channelOptions);
    try {
      await body(sink, channel);
    } finally {
      await channel.close();
    }
  } finally {
    await sink.stop();
  }
}

/** Awaits a rejection and returns it as a TrancheError (failing if it is anything else). */
async function refusal(promise: Promise<unknown>): Promise<TrancheError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TrancheError, `expected a TrancheError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the send to fail');
}

/** A loopback port with nothing listening (bound, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('SMTP channel against a sink', () => {
  it('delivers a notice with exactly its Message-ID, from, recipients, subject, text and html', async () => {
    await withSink(
      {},
      () => ({}),
      async (sink, channel) => {
        const sent = notice();
        await channel.send(sent);
        const [got] = await sink.waitFor(1);
        assert.ok(got);
        assert.equal(got.messageId, sent.messageId);
        assert.match(got.raw.toString('latin1'), new RegExp(`^Message-ID: ${sent.messageId}\r$`, 'mi'));
        assert.equal(got.from, 'Mail move <moves@example.org>');
        assert.deepEqual(got.to, ['ann@example.org', 'Helpdesk <help@example.org>']);
        assert.deepEqual(got.envelope, {
          from: 'moves@example.org',
          to: ['ann@example.org', 'help@example.org'],
        });
        assert.equal(got.subject, sent.subject);
        assert.equal(got.text.trimEnd(), sent.text);
        assert.equal(got.html.trimEnd(), sent.html);
      },
    );
  });

  it('logs in when the server requires it, with the password from a file or the environment', async () => {
    const auth = { user: 'notices', password: 'pa55 word\twith spaces' };
    await withSink(
      { auth },
      () => ({ user: auth.user, passwordFile: passwordFile(`${auth.password}\n`) }),
      async (sink, channel) => {
        await channel.send(notice());
        await sink.waitFor(1);
        assert.equal(sink.authAttempts, 1);
      },
      { TRANCHE_SMTP_PASSWORD: 'not this one' },
    );
    await withSink(
      { auth },
      () => ({ user: auth.user }),
      async (sink, channel) => {
        await channel.send(notice());
        await sink.waitFor(1);
      },
      { TRANCHE_SMTP_PASSWORD: auth.password },
    );
  });

  it('reports a refused login as auth, not retryable, without the password', async () => {
    const password = 'Wrong-Secret-4711';
    await withSink(
      { auth: { user: 'notices', password: 'right' } },
      () => ({ user: 'notices' }),
      async (sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.type, 'auth');
        assert.equal(error.retryable, false);
        assert.match(error.message, /535/);
        for (const form of [password, Buffer.from(password).toString('base64')]) {
          assert.ok(!error.message.includes(form), `message shows ${form}: ${error.message}`);
        }
        assert.equal(sink.messages.length, 0);
      },
      { TRANCHE_SMTP_PASSWORD: password },
    );
  });

  it('reports a server requiring a login it was not given as auth', async () => {
    await withSink(
      { auth: { user: 'notices', password: 'right' } },
      () => ({}),
      async (_sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.type, 'auth');
        assert.equal(error.retryable, false);
      },
    );
  });

  it('uses given credentials even when the server offers no AUTH (auth-mechanism, not a silent skip)', async () => {
    await withSink(
      {},
      () => ({ user: 'notices' }),
      async (sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.type, 'auth-mechanism', error.message);
        assert.equal(error.retryable, false);
        assert.equal(sink.messages.length, 0);
      },
      { TRANCHE_SMTP_PASSWORD: 'secret' },
    );
  });

  it('reports a port with nothing listening as unreachable, retryable', async () => {
    const channel = createSmtpChannel(notices({ url: `smtp://127.0.0.1:${await deadPort()}` }), {});
    try {
      const error = await refusal(channel.send(notice()));
      assert.equal(error.type, 'unreachable');
      assert.equal(error.retryable, true);
      assert.match(error.message, /127\.0\.0\.1:\d+/);
    } finally {
      await channel.close();
    }
  });

  it('reports a temporary rejection (451) as retryable and a permanent one (550) as message-refused', async () => {
    await withSink(
      { onMessage: () => Promise.resolve('reject-temporary') },
      () => ({}),
      async (sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.retryable, true);
        assert.match(error.message, /451/);
        assert.equal(sink.messages.length, 0);
      },
    );
    await withSink(
      { onMessage: () => Promise.resolve('reject-permanent') },
      () => ({}),
      async (sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.type, 'message-refused');
        assert.equal(error.retryable, false);
        assert.match(error.message, /550/);
        assert.equal(sink.messages.length, 0);
      },
    );
  });

  it('refuses a notice whose every recipient is refused (550 at RCPT TO), and keeps one partly accepted', async () => {
    await withSink(
      { onRecipient: () => 'reject-permanent' },
      () => ({}),
      async (sink, channel) => {
        const error = await refusal(channel.send(notice()));
        assert.equal(error.type, 'message-refused');
        assert.equal(error.retryable, false);
        assert.equal(sink.messages.length, 0);
      },
    );
    await withSink(
      { onRecipient: (address) => (address === 'help@example.org' ? 'reject-permanent' : 'accept') },
      () => ({}),
      async (sink, channel) => {
        await channel.send(notice());
        const [got] = await sink.waitFor(1);
        assert.deepEqual(got?.envelope.to, ['ann@example.org']);
      },
    );
  });

  it('refuses a self-signed certificate (STARTTLS and smtps://) as tls unless insecure', async () => {
    for (const which of ['url', 'tlsUrl'] as const) {
      await withSink(
        { tls: true },
        (sink) => ({ url: sink[which] }),
        async (sink, channel) => {
          const error = await refusal(channel.send(notice()));
          assert.equal(error.type, 'tls', error.message);
          assert.equal(error.retryable, false);
          assert.match(error.message, /certificate/);
          assert.equal(sink.messages.length, 0);
        },
      );
      await withSink(
        { tls: true, auth: { user: 'notices', password: 'secret' } },
        (sink) => ({ url: sink[which], insecure: true, user: 'notices' }),
        async (sink, channel) => {
          await channel.send(notice());
          await sink.waitFor(1);
        },
        { TRANCHE_SMTP_PASSWORD: 'secret' },
      );
    }
  });

  it('never logs in without TLS to a host that is not loopback', async (t) => {
    let sink: SmtpSink;
    try {
      sink = await startSmtpSink({ host: '127.0.0.2', auth: { user: 'notices', password: 'secret' } });
    } catch {
      t.skip('127.0.0.2 is not available here');
      return;
    }
    const channel = createSmtpChannel(notices({ url: sink.url, user: 'notices' }), {
      TRANCHE_SMTP_PASSWORD: 'secret',
    });
    try {
      const error = await refusal(channel.send(notice()));
      assert.equal(error.type, 'tls', error.message);
      assert.equal(error.retryable, false);
      assert.equal(sink.authAttempts, 0);
      assert.equal(sink.messages.length, 0);
    } finally {
      await channel.close();
      await sink.stop();
    }
  });

  it('reports a connection dropped while the server holds the message as connection-lost, retryable', async () => {
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    await withSink(
      {
        onMessage: () => {
          held();
          return Promise.resolve('hold');
        },
      },
      () => ({}),
      async (sink, channel) => {
        const sending = refusal(channel.send(notice()));
        await holding;
        sink.dropConnections();
        const error = await sending;
        assert.equal(error.type, 'connection-lost', error.message);
        assert.equal(error.retryable, true);
        assert.equal(sink.messages.length, 0);
      },
    );
  });

  it('close() cuts a delivery the server holds after the grace, failing it retryably', async () => {
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    await withSink(
      {
        onMessage: () => {
          held();
          return Promise.resolve('hold');
        },
      },
      () => ({}),
      async (sink, channel) => {
        const sending = refusal(channel.send(notice()));
        await holding;
        await channel.close();
        const error = await sending;
        assert.equal(error.type, 'connection-lost', error.message);
        assert.equal(error.retryable, true);
        assert.match(error.message, /channel closed/);
        assert.equal(sink.messages.length, 0);
      },
      {},
      { closeGraceMs: 0 },
    );
  });

  it('close() fails sends still waiting for the rate limit, retryably, without sending them', async () => {
    await withSink(
      {},
      () => ({ ratePerMinute: 1 }),
      async (sink, channel) => {
        await channel.send(notice());
        const waiting = refusal(channel.send(notice()));
        await channel.close();
        const error = await waiting;
        assert.equal(error.type, 'connection-lost');
        assert.equal(error.retryable, true);
        assert.equal(sink.messages.length, 1);
      },
    );
  });
});

describe('SMTP transport options', () => {
  const base = notices({ url: 'smtp://mail.example.org:587' }).smtp;

  it('requires STARTTLS for smtp:// to any host but loopback', () => {
    assert.equal(smtpTransportOptions(base, undefined).requireTLS, true);
    for (const url of ['smtp://127.0.0.1:25', 'smtp://[::1]:25', 'smtp://LOCALHOST:25']) {
      const options = smtpTransportOptions({ ...base, url }, undefined);
      assert.equal(options.requireTLS, false, url);
      assert.equal(options.secure, false, url);
    }
    assert.equal(smtpTransportOptions({ ...base, url: 'smtp://127.0.0.2:25' }, undefined).requireTLS, true);
  });

  it('uses implicit TLS for smtps://, verifies certificates unless insecure, defaults the ports', () => {
    const smtps = smtpTransportOptions({ ...base, url: 'smtps://mail.example.org' }, undefined);
    assert.deepEqual([smtps.secure, smtps.requireTLS, smtps.port], [true, false, 465]);
    assert.equal(smtpTransportOptions({ ...base, url: 'smtp://mail.example.org' }, undefined).port, 587);
    assert.equal(smtpTransportOptions(base, undefined).tls?.rejectUnauthorized, true);
    assert.equal(smtpTransportOptions({ ...base, insecure: true }, undefined).tls?.rejectUnauthorized, false);
  });

  it('logs in only with a user, and sets no nodemailer rate limit or requeue', () => {
    assert.equal(smtpTransportOptions(base, undefined).auth, undefined);
    assert.deepEqual(smtpTransportOptions({ ...base, user: 'u' }, 'p').auth, { user: 'u', pass: 'p' });
    const options = smtpTransportOptions(base, undefined);
    assert.deepEqual([options.pool, options.rateLimit, options.maxRequeues], [true, undefined, 0]);
  });
});

describe('SMTP password', () => {
  const base = notices({ url: 'smtp://mail.example.org:587' }).smtp;

  it('comes from passwordFile (one trailing newline dropped) before TRANCHE_SMTP_PASSWORD', () => {
    const env = { TRANCHE_SMTP_PASSWORD: 'from-env' };
    assert.equal(
      readSmtpPassword({ ...base, user: 'u', passwordFile: passwordFile('s3cret\n') }, env),
      's3cret',
    );
    assert.equal(
      readSmtpPassword({ ...base, user: 'u', passwordFile: passwordFile('s3cret\n\n') }, env),
      's3cret\n',
    );
    assert.equal(
      readSmtpPassword({ ...base, user: 'u', passwordFile: passwordFile('s3cret\r\n') }, env),
      's3cret',
    );
    assert.equal(readSmtpPassword({ ...base, user: 'u' }, env), 'from-env');
    assert.equal(readSmtpPassword(base, env), undefined);
  });

  it('is a usage error when a user is set and neither source has one', () => {
    const cases: [SmtpConfig, NodeJS.ProcessEnv][] = [
      [{ ...base, user: 'u' }, {}],
      [{ ...base, user: 'u' }, { TRANCHE_SMTP_PASSWORD: '' }],
      [{ ...base, user: 'u', passwordFile: '/nonexistent/smtp-password' }, { TRANCHE_SMTP_PASSWORD: 'x' }],
      [{ ...base, user: 'u', passwordFile: passwordFile('') }, {}],
    ];
    for (const [smtp, env] of cases) {
      assert.throws(
        () => createSmtpChannel({ ...notices({ url: smtp.url }), smtp }, env),
        (error: unknown) => error instanceof TrancheError && error.type === 'usage',
      );
    }
  });
});

describe('SendRateLimiter', () => {
  it('lets `limit` sends go at once, then spaces the rest by the window', () => {
    const limiter = new SendRateLimiter(3, 60_000);
    assert.deepEqual(
      [0, 0, 0, 0, 10, 10].map((now) => limiter.reserve(now)),
      [0, 0, 0, 60_000, 59_990, 59_990],
    );
    assert.equal(limiter.reserve(70_000), 50_000);
    assert.equal(limiter.reserve(200_000), 0);
  });

  it('never lets more than `limit` sends start within any window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 60 }),
        (limit, gaps) => {
          const windowMs = 1_000;
          const limiter = new SendRateLimiter(limit, windowMs);
          let now = 0;
          const starts = gaps.map((gap) => {
            now += gap;
            return now + limiter.reserve(now);
          });
          for (let i = 0; i < starts.length; i++) {
            assert.ok((starts[i] ?? 0) >= (starts[i - 1] ?? 0), 'starts in order');
            const later = starts[i + limit];
            if (later !== undefined) assert.ok(later - (starts[i] ?? 0) >= windowMs, 'limit kept');
          }
        },
      ),
    );
  });
});

describe('classifySmtpError', () => {
  const smtpError = (fields: Record<string, unknown>): Error => Object.assign(new Error('x'), fields);
  const reply = (responseCode: number, command: string, words: string): Error =>
    smtpError({ message: `Failed: ${responseCode} ${words}`, code: 'EENVELOPE', responseCode, command });

  it('sorts replies by code and command', () => {
    const cases: [Error, string, boolean][] = [
      [reply(535, 'AUTH PLAIN', '5.7.8 bad credentials'), 'auth', false],
      [reply(534, 'AUTH PLAIN', '5.7.9 web login required'), 'auth', false],
      [reply(530, 'MAIL FROM', '5.7.0 Authentication required'), 'auth', false],
      [reply(504, 'AUTH PLAIN', '5.5.4 unrecognized authentication type'), 'auth-mechanism', false],
      [reply(454, 'AUTH PLAIN', '4.7.0 temporary authentication failure'), 'server', true],
      [reply(421, 'EHLO', '4.7.0 Too many connections, try again later'), 'throttled', true],
      [reply(450, 'RCPT TO', '4.2.1 user is receiving mail at a rate that prevents more'), 'throttled', true],
      [reply(451, 'DATA', '4.3.0 local error in processing'), 'server', true],
      [reply(452, 'RCPT TO', '4.3.1 insufficient system storage'), 'server', true],
      [reply(550, 'RCPT TO', '5.1.1 no such user'), 'message-refused', false],
      [reply(553, 'RCPT TO', '5.1.3 bad address syntax'), 'message-refused', false],
      [reply(554, 'DATA', '5.7.1 spam'), 'message-refused', false],
      [reply(553, 'MAIL FROM', '5.7.1 sender not owned by user'), 'server', false],
      [reply(500, 'EHLO', '5.5.1 unrecognised'), 'server', false],
      [smtpError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), 'unreachable', true],
      [smtpError({ code: 'EDNS', originalCode: 'ENOTFOUND' }), 'unreachable', true],
      [smtpError({ code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }), 'unreachable', true],
      [smtpError({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }), 'connection-lost', true],
      [
        smtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }),
        'connection-lost',
        true,
      ],
      [smtpError({ code: 'ESOCKET', originalCode: 'ECONNRESET' }), 'connection-lost', true],
      [
        smtpError({ code: 'ETLS', message: 'Error upgrading connection with STARTTLS: 502 5.5.1 no' }),
        'tls',
        false,
      ],
      [smtpError({ code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }), 'tls', false],
      [new TypeError('a bug'), 'internal', false],
    ];
    for (const [error, type, retryable] of cases) {
      const classified = classifySmtpError(error, { server: 'mail.example.org:587' });
      assert.deepEqual([classified.type, classified.retryable], [type, retryable], classified.message);
      assert.equal(classified.cause, error);
    }
  });

  it('follows a wait hint, capped, and blanks secrets out of the message', () => {
    const hinted = classifySmtpError(reply(421, 'MAIL FROM', '4.7.0 rate limited, try again in 2 minutes'));
    assert.deepEqual([hinted.type, hinted.retryAfterMs], ['throttled', 120_000]);
    assert.equal(
      classifySmtpError(reply(421, 'MAIL FROM', 'retry after 9999 minutes')).retryAfterMs,
      3_600_000,
    );
    const echoed = classifySmtpError(reply(535, 'AUTH PLAIN', 'bad credentials for hunter2 (p)'), {
      secrets: ['hunter2', 'p'],
    });
    assert.ok(!echoed.message.includes('hunter2'), echoed.message);
    assert.match(echoed.message, /for \[redacted\] \(\[redacted\]\)$/);
    assert.match(echoed.message, /refused the login/, 'a short secret blanks no letters of words');
  });
});
