/**
 * The Lambda entry as API Gateway HTTP API invokes it (payload 2.0), with its module-scope setup
 * reading the environment, a real JWKS server and the real IVS client talking to an IVS-like stub.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { startIvsStub, type IvsStub } from './support/ivs-stub.js';
import { at } from './support/http.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from './support/jwks-server.js';

function loadEvent(name: string): APIGatewayProxyEventV2 {
  const parsed: unknown = JSON.parse(
    readFileSync(new URL(`fixtures/events/${name}.json`, import.meta.url), 'utf8'),
  );
  assert.ok(
    typeof parsed === 'object' && parsed !== null && 'requestContext' in parsed && 'rawPath' in parsed,
  );
  // Fixture files are trusted test input shaped like API Gateway's payload 2.0.
  return structuredClone(parsed) as APIGatewayProxyEventV2;
}

const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'token-vending',
  getRemainingTimeInMillis: () => 3000,
} as unknown as Context;

let stub: IvsStub;
let jwks: JwksServer;
let key: TestKey;
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

before(async () => {
  stub = await startIvsStub();
  key = newRsaKey('lambda-key');
  jwks = await startJwksServer([key]);
  Object.assign(process.env, {
    CHAT_BACKEND: 'local',
    EMULATOR_PORT: new URL(stub.url).port,
    AUTH_JWKS_URI: jwks.jwksUri,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
  });
  ({ handler } = await import('../../../services/token-vending/lambda.js'));
});
after(async () => {
  await stub.close();
  await jwks.close();
});

describe('token-vending Lambda handler', () => {
  it('declares fewer than three parameters (no callback style)', () => {
    assert.ok(handler.length < 3, `declares ${handler.length}`);
  });

  it('answers an HTTP API v2 token request with a chat token', async () => {
    const event = loadEvent('post-chat-token');
    event.headers.authorization = `Bearer ${signToken(key, { sub: 'lambda-user', name: 'Lou' })}`;

    const result = await handler(event, context);

    assert.equal(at(result, 'statusCode'), 200);
    const body: unknown = JSON.parse(String(at(result, 'body')));
    assert.equal(at(body, 'userId'), 'lambda-user');
    assert.deepEqual(at(body, 'capabilities'), ['SEND_MESSAGE']);
    assert.equal(at(stub.requests, 0, 'body', 'userId'), 'lambda-user');
  });

  it('answers a missing JWT with a 401 problem', async () => {
    const event = loadEvent('post-chat-token');
    delete event.headers.authorization;

    const result = await handler(event, context);

    assert.equal(at(result, 'statusCode'), 401);
    assert.match(String(at(result, 'headers', 'content-type')), /application\/problem\+json/);
  });

  it('answers GET /healthz', async () => {
    const result = await handler(loadEvent('get-healthz'), context);

    assert.equal(at(result, 'statusCode'), 200);
  });
});
