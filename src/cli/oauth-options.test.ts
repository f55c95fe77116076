import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrancheError } from '../errors/tranche-error.js';
import { oauthSettingFrom, profileAdjustments } from './oauth-options.js';

const usage = (pattern: RegExp) => (error: unknown) =>
  error instanceof TrancheError && error.type === 'usage' && pattern.test(error.message);

test('the token flags make one setting; a flag out of place is a usage error naming it', () => {
  assert.equal(oauthSettingFrom({}, 'target', 'TRANCHE_TARGET_CLIENT_SECRET'), undefined);
  assert.deepEqual(
    oauthSettingFrom({ tokenCommand: 'get-token' }, 'target', 'TRANCHE_TARGET_CLIENT_SECRET'),
    {
      spec: { kind: 'command', command: 'get-token' },
      secret: undefined,
      mechanism: 'xoauth2',
    },
  );
  assert.throws(
    () =>
      oauthSettingFrom(
        { tokenCommand: 'x', tokenUrl: 'https://t' },
        'source',
        'TRANCHE_SOURCE_CLIENT_SECRET',
      ),
    usage(/--source-token-command and --source-token-url: give one token source/),
  );
  assert.throws(
    () => oauthSettingFrom({ tenant: 'contoso' }, 'target', 'TRANCHE_TARGET_CLIENT_SECRET'),
    usage(/--target-tenant needs a token source/),
  );
  assert.throws(
    () => oauthSettingFrom({ tokenUrl: 'https://t/token' }, '', 'TRANCHE_ENDPOINT_CLIENT_SECRET'),
    usage(/--token-url needs --client-id/),
  );
  assert.throws(
    () => oauthSettingFrom({ provider: 'google' }, 'target', 'TRANCHE_TARGET_CLIENT_SECRET'),
    usage(/--target-provider google needs --target-service-account-file/),
  );
  assert.throws(
    () =>
      oauthSettingFrom(
        { provider: 'microsoft', tenant: 't', clientId: 'c', clientSecretFile: '/nonexistent/secret' },
        'target',
        'TRANCHE_TARGET_CLIENT_SECRET',
      ),
    usage(/--target-client-secret-file: cannot read \/nonexistent\/secret \(ENOENT\)/),
  );
  assert.throws(
    () =>
      oauthSettingFrom(
        {
          tokenUrl: 'https://t/token',
          clientId: 'c',
          clientSecretFile: '/dev/null',
          tokenParam: ['novalue'],
        },
        'target',
        'TRANCHE_TARGET_CLIENT_SECRET',
      ),
    usage(/--target-token-param: expected NAME=VALUE/),
  );
});

test('service profiles: a Gmail source leaves out All Mail, Important and Starred; connections kept within the services', () => {
  assert.deepEqual(profileAdjustments({ sourceProfile: 'gmail', targetProfile: 'exchange-online' }, 4), {
    excludes: ['[Gmail]/All Mail', '[Gmail]/Important', '[Gmail]/Starred'],
    connections: 2,
    target: {
      maxMessageSize: 35 * 1024 * 1024,
      maxMessageSizeSource: "the exchange-online profile's limit",
      keptFlags: ['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen', '$MDNSent'],
    },
  });
  assert.deepEqual(profileAdjustments({}, 4), { excludes: [], connections: 4, target: undefined });
});
