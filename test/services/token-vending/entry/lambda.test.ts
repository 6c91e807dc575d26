/**
 * The Lambda entry as API Gateway HTTP API invokes it (payload 2.0), with its module-scope setup
 * reading the environment, a real JWKS server and the real IVS client talking to an IVS-like stub.
 * The same behaviours run against the source entry and the built bundle (`npm run build` →
 * dist/token-vending/index.js, AWS SDK bundled in): what SAM deploys is what was tested. The gate
 * builds before it runs tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { startIvsStub, type IvsStub } from '../support/ivs-stub.js';
import { at } from '../support/http.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../support/jwks-server.js';
import { TABLE_ENDPOINT, TEST_TABLE } from '../support/table.js';

function loadEvent(name: string): APIGatewayProxyEventV2 {
  const parsed: unknown = JSON.parse(
    readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'),
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

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Each way the handler is loaded: the exported function as the runtime would find it. */
const entries: readonly { label: string; load: () => Promise<unknown> }[] = [
  {
    label: 'token-vending Lambda handler (source entry)',
    load: async () => at(await import('../../../../services/token-vending/entry/lambda.js'), 'handler'),
  },
  {
    label: 'token-vending Lambda bundle (dist/token-vending/index.js)',
    load: () => {
      const bundle = new URL('../../../../dist/token-vending/index.js', import.meta.url);
      assert.ok(existsSync(bundle), 'dist/token-vending/index.js is missing: run npm run build');
      return Promise.resolve(at(createRequire(import.meta.url)(fileURLToPath(bundle)), 'handler'));
    },
  },
];

let stub: IvsStub;
let jwks: JwksServer;
let key: TestKey;

before(async () => {
  stub = await startIvsStub();
  key = newRsaKey('lambda-key');
  jwks = await startJwksServer([key]);
  Object.assign(process.env, {
    CHAT_BACKEND: 'local',
    EMULATOR_PORT: new URL(stub.url).port,
    CHAT_TABLE: TEST_TABLE.name,
    AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
    AUTH_JWKS_URI: jwks.jwksUri,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    LOG_LEVEL: process.env.DEBUG_LAMBDA ? 'debug' : 'silent',
  });
});
after(async () => {
  await stub.close();
  await jwks.close();
});

for (const { label, load } of entries) {
  describe(label, () => {
    let exported: unknown;
    let handler: Handler;
    before(async () => {
      exported = await load();
      assert.ok(typeof exported === 'function', 'exports a handler function');
      const fn = exported;
      handler = async (event, lambdaContext) => {
        const result: unknown = await Reflect.apply(fn, undefined, [event, lambdaContext]);
        return result;
      };
    });

    it('declares fewer than three parameters (no callback style)', () => {
      assert.ok(typeof exported === 'function' && exported.length < 3, 'declares at most two parameters');
    });

    it('answers an HTTP API v2 token request with a chat token', async () => {
      const event = loadEvent('post-chat-token');
      event.headers.authorization = `Bearer ${signToken(key, { sub: 'lambda-user', name: 'Lou' })}`;
      const before = stub.requests.length;

      const result = await handler(event, context);

      assert.equal(at(result, 'statusCode'), 200, `answered ${String(at(result, 'body'))}`);
      const body: unknown = JSON.parse(String(at(result, 'body')));
      assert.equal(at(body, 'userId'), 'lambda-user');
      assert.deepEqual(at(body, 'capabilities'), ['SEND_MESSAGE']);
      const created = stub.requests.slice(before).filter((request) => request.path === '/CreateChatToken');
      assert.equal(at(created, 0, 'body', 'userId'), 'lambda-user');
    });

    it('answers a missing JWT with a 401 problem', async () => {
      const event = loadEvent('post-chat-token');
      delete event.headers.authorization;

      const result = await handler(event, context);

      assert.equal(at(result, 'statusCode'), 401);
      assert.match(String(at(result, 'headers', 'content-type')), /application\/problem\+json/);
    });

    it("answers with API Gateway's request id, not a client's or a fresh one", async () => {
      // Prepare: API Gateway's ids end in '=' and a client may send its own.
      const event = loadEvent('get-healthz');
      event.headers['x-request-id'] = 'client-chosen-id';

      const result = await handler(event, context);

      assert.equal(at(result, 'headers', 'x-request-id'), event.requestContext.requestId);
    });

    it('answers GET /healthz', async () => {
      const result = await handler(loadEvent('get-healthz'), context);

      assert.equal(at(result, 'statusCode'), 200);
    });
  });
}
