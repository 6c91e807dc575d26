/**
 * The token path is primed as the service starts (priming.ts): before startTokenService returns, the
 * key set has been fetched and the table has seen the path's first BatchGetItem and UpdateItem, while
 * nothing was written and no request reached IVS. Real sockets throughout: a JWKS server, the IVS
 * stub, and a recording front before the test table.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../../../../../shared/logger.js';
import { startTokenService, type RunningService } from '../../../../../services/token-vending/entry/start.js';
import { ROOM_ARN } from '../../support/app.js';
import { requestChatToken } from '../../support/http.js';
import { startIvsStub, type IvsStub } from '../../support/ivs-stub.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
} from '../../support/jwks-server.js';
import { TABLE_ENDPOINT, TEST_TABLE } from '../../support/table.js';

interface TableFront {
  readonly url: string;
  /** Each call's operation (X-Amz-Target without the version) and the status it was answered. */
  readonly calls: { operation: string; status: number }[];
  readonly server: Server;
}

/** Passes every request on to the test table, noting its operation and status. */
async function startTableFront(): Promise<TableFront> {
  const target = new URL(TABLE_ENDPOINT);
  const calls: TableFront['calls'] = [];
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const onward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        calls.push({ operation, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    onward.on('error', () => res.destroy());
    req.pipe(onward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

const key = newRsaKey('priming-key');
let jwks: JwksServer;
let stub: IvsStub;
let front: TableFront;
let service: RunningService;
let saved: NodeJS.ProcessEnv;

before(async () => {
  [jwks, stub, front] = await Promise.all([startJwksServer([key]), startIvsStub(), startTableFront()]);
  saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_IVSCHAT: stub.url,
    AWS_ENDPOINT_URL_DYNAMODB: front.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  service = await startTokenService({
    env: {
      CHAT_BACKEND: 'aws',
      AWS_REGION: 'eu-west-1',
      AUTH_JWKS_URI: jwks.jwksUri,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      CHAT_TABLE: TEST_TABLE.name,
    },
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
  });
});
after(async () => {
  process.env = saved;
  await service.close();
  front.server.closeAllConnections();
  await Promise.all([jwks.close(), stub.close(), new Promise((resolve) => front.server.close(resolve))]);
});

it('fetches the key set and makes the table calls before it listens, writing nothing and calling no IVS', async () => {
  // Act: nothing; startTokenService has returned.
  const atStart = { fetches: jwks.fetches, calls: [...front.calls], ivs: stub.requests.length };
  const primingItem = await TEST_TABLE.client.send(
    new GetCommand({ TableName: TEST_TABLE.name, Key: { pk: 'ROOM#priming-read', sk: 'ROOM' } }),
  );

  // Assess
  assert.equal(atStart.fetches, 1, 'the key set was fetched once');
  assert.ok(
    atStart.calls.some((call) => call.operation === 'BatchGetItem' && call.status === 200),
    JSON.stringify(atStart.calls),
  );
  // The refused write: DynamoDB answers a failed condition with 400 and writes nothing.
  assert.ok(
    atStart.calls.some((call) => call.operation === 'UpdateItem' && call.status === 400),
    JSON.stringify(atStart.calls),
  );
  assert.equal(primingItem.Item, undefined, 'no item was written');
  assert.equal(atStart.ivs, 0, 'the primed CreateChatToken was dropped before it was sent');
});

it('serves the first token request with the key set priming fetched, and one IVS call', async () => {
  const answer = await requestChatToken(
    service.url,
    { roomIdentifier: ROOM_ARN },
    signToken(key, { sub: 'first' }),
  );

  assert.equal(answer.status, 200, await answer.clone().text());
  assert.equal(jwks.fetches, 1, 'no second fetch of the key set');
  assert.equal(stub.requests.filter((call) => call.path === '/CreateChatToken').length, 1);
});
