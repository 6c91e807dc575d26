import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../services/token-vending/config.js';
import { ConfigError } from '../../../services/token-vending/platform/problem.js';

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function refusal(env: Record<string, string>, options?: Parameters<typeof loadConfig>[1]): string {
  try {
    loadConfig(env, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('loadConfig', () => {
  it('defaults to local mode on the emulator with dev login and the default policy', () => {
    const config = loadConfig({});

    assert.equal(config.backend, 'local');
    assert.equal(config.devLogin, true);
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.ivs.endpoint, 'http://127.0.0.1:4510');
    assert.equal(config.ivs.region, 'us-east-1');
    assert.equal(config.auth.rolesClaim, 'roles');
    assert.equal(config.allowAnonymous, false);
    assert.equal(config.rateLimit.max, 30);
  });

  it('points local mode at EMULATOR_PORT', () => {
    assert.equal(loadConfig({ EMULATOR_PORT: '4999' }).ivs.endpoint, 'http://127.0.0.1:4999');
  });

  it('in AWS mode leaves the endpoint to the SDK and turns dev login off', () => {
    const config = loadConfig({
      CHAT_BACKEND: 'aws',
      AUTH_JWKS_URI: 'https://idp/jwks',
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
      CHAT_TABLE: 'chat-prod',
    });

    assert.equal(config.ivs.endpoint, undefined);
    assert.equal(config.ivs.dummyCredentials, false);
    assert.equal(config.devLogin, false);
    assert.equal(config.table.name, 'chat-prod');
    assert.equal(config.table.endpoint, undefined);
    assert.equal(config.rooms.reviewHandlerArn, undefined);
  });

  it('refuses AWS mode without CHAT_TABLE', () => {
    assert.match(
      refusal({
        CHAT_BACKEND: 'aws',
        AUTH_JWKS_URI: 'https://idp/jwks',
        AUTH_ISSUER: 'i',
        AUTH_AUDIENCE: 'a',
      }),
      /CHAT_TABLE must be set with CHAT_BACKEND=aws/,
    );
  });

  it('in local mode points the table at dynalite on DYNAMODB_PORT and attaches the local review function', () => {
    const config = loadConfig({ DYNAMODB_PORT: '4999' });

    assert.equal(config.table.endpoint, 'http://127.0.0.1:4999');
    assert.equal(config.table.name, 'ivs-chat-local');
    assert.equal(
      config.rooms.reviewHandlerArn,
      'arn:aws:lambda:us-east-1:123456789012:function:message-review',
    );
    assert.equal(config.rooms.accountId, '123456789012');
  });

  it('takes the rooms account from the review handler ARN when AWS_ACCOUNT_ID is unset', () => {
    const config = loadConfig({
      REVIEW_HANDLER_ARN: 'arn:aws:lambda:eu-west-1:210987654321:function:review:live',
    });

    assert.equal(config.rooms.accountId, '210987654321');
  });

  it('puts no stack tag on new rooms unless ROOM_STACK_TAG is set', () => {
    assert.equal(loadConfig({}).rooms.stackTag, undefined);
    assert.equal(loadConfig({ ROOM_STACK_TAG: '  ' }).rooms.stackTag, undefined);
  });

  it('takes the stack tag of new rooms from ROOM_STACK_TAG (in AWS: the stack name)', () => {
    assert.equal(loadConfig({ ROOM_STACK_TAG: 'ivs-chat-backend' }).rooms.stackTag, 'ivs-chat-backend');
  });

  for (const [name, value] of [
    ['a character AWS refuses in tag values', 'stack;drop'],
    ['more than 256 characters', 'a'.repeat(257)],
  ] as const) {
    it(`refuses a ROOM_STACK_TAG with ${name}`, () => {
      assert.match(refusal({ ROOM_STACK_TAG: value }), /ROOM_STACK_TAG must be a tag value/);
    });
  }

  for (const [name, env, message] of [
    ['a table name with spaces', { CHAT_TABLE: 'my table' }, /CHAT_TABLE must be a DynamoDB table name/],
    [
      'a review handler that is not a Lambda ARN',
      { REVIEW_HANDLER_ARN: 'review' },
      /REVIEW_HANDLER_ARN must be a Lambda function ARN/,
    ],
    [
      'a fallback other than ALLOW or DENY',
      { ROOM_FALLBACK_RESULT: 'maybe' },
      /ROOM_FALLBACK_RESULT must be ALLOW or DENY/,
    ],
    [
      'a logging configuration that is not an ARN',
      { ROOM_LOGGING_CONFIGURATION_ARN: 'logs' },
      /ROOM_LOGGING_CONFIGURATION_ARN must be/,
    ],
    ['an account id that is not 12 digits', { AWS_ACCOUNT_ID: '12' }, /AWS_ACCOUNT_ID must be 12 digits/],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.match(refusal(env), message);
    });
  }

  it('refuses AWS mode without the AUTH_* settings, naming them', () => {
    assert.match(
      refusal({ CHAT_BACKEND: 'aws' }),
      /AUTH_JWKS_URI, AUTH_ISSUER, AUTH_AUDIENCE must be set with CHAT_BACKEND=aws/,
    );
  });

  it('requires the AUTH_* settings in Lambda even in local mode', () => {
    assert.match(
      refusal({}, { runtime: 'lambda' }),
      /AUTH_JWKS_URI, AUTH_ISSUER, AUTH_AUDIENCE must be set in Lambda/,
    );
  });

  it('reports every bad value at once', () => {
    const message = refusal({
      CHAT_BACKEND: 'azure',
      PORT: 'eighty',
      ALLOW_ANONYMOUS: 'maybe',
      CORS_ORIGINS: 'https://ok.example,https://bad.example/path',
      RATE_LIMIT_MAX: '-1',
      LOG_LEVEL: 'loud',
    });

    for (const name of [
      'CHAT_BACKEND',
      'PORT',
      'ALLOW_ANONYMOUS',
      'CORS_ORIGINS',
      'RATE_LIMIT_MAX',
      'LOG_LEVEL',
    ]) {
      assert.match(message, new RegExp(name));
    }
  });

  it('refuses an AUTH_JWKS_URI that is not an http(s) URL', () => {
    assert.match(refusal({ AUTH_JWKS_URI: 'file:///etc/keys' }), /AUTH_JWKS_URI must be an http\(s\) URL/);
  });

  it('reads a policy file', () => {
    const config = loadConfig({ CHAT_POLICY_FILE: fixture('policies/strict.json') });

    assert.deepEqual(
      config.policy.roles.map((role) => role.name),
      ['admin', 'member'],
    );
  });

  it('accepts the example policy shipped beside the service', () => {
    const example = fileURLToPath(
      new URL('../../../services/token-vending/policy.example.json', import.meta.url),
    );

    const config = loadConfig({ CHAT_POLICY_FILE: example });

    assert.deepEqual(config.policy.deniedRoles, ['banned']);
  });

  it('refuses a policy file naming an unknown capability, saying where', () => {
    assert.match(
      refusal({ CHAT_POLICY_FILE: fixture('policies/capability-typo.json') }),
      /roles\[0\]\.capabilities\[0\] must be one of SEND_MESSAGE/,
    );
  });

  it('refuses a policy file that does not exist', () => {
    assert.match(
      refusal({ CHAT_POLICY_FILE: '/nonexistent/policy.json' }),
      /CHAT_POLICY_FILE \/nonexistent\/policy\.json/,
    );
  });

  it('turns the rate limit off with RATE_LIMIT_MAX=0', () => {
    assert.equal(loadConfig({ RATE_LIMIT_MAX: '0' }).rateLimit.max, 0);
  });
});
