/**
 * A request's upstream calls share one budget from its arrival (REQUEST_BUDGET_MS in production):
 * the table read and CreateChatToken cannot add up their own deadlines past it. Here the budget is
 * 400 ms and IVS never answers (its own deadline would be 5 s): the caller has a 503 within the
 * budget. The test's own timeout (3 s) is what fails when the budget is not applied.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../../services/token-vending/app.js';
import { createJwtVerifier } from '../../../services/token-vending/auth/verifier.js';
import { createIvsClient } from '../../../services/token-vending/platform/ivs-client.js';
import { DEFAULT_POLICY } from '../../../services/token-vending/access/chat-policy.js';
import { createLogger } from '../../../shared/logger.js';
import { ROOM_ARN, TEST_CONFIG } from './support/app.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from './support/jwks-server.js';
import { TEST_TABLE } from './support/table.js';

let silent: Server;
let endpoint = '';
const sockets = new Set<Socket>();
let jwks: JwksServer;
let key: TestKey;
before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  endpoint = `http://127.0.0.1:${address.port}`;
  key = newRsaKey('budget');
  jwks = await startJwksServer([key]);
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await jwks.close();
});

describe('the request budget', () => {
  it('ends a token request within the budget when IVS never answers', { timeout: 3000 }, async () => {
    // Prepare
    const ivs = createIvsClient({
      endpoint,
      region: 'us-east-1',
      dummyCredentials: true,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 4000,
      maxAttempts: 2,
      deadlineMs: 5000,
    });
    const app = createApp({
      ivs,
      table: TEST_TABLE,
      region: 'us-east-1',
      verifier: createJwtVerifier({
        jwksUri: jwks.jwksUri,
        issuer: ISSUER,
        audience: AUDIENCE,
        rolesClaim: 'roles',
      }),
      policy: DEFAULT_POLICY,
      clock: Date.now,
      logger: createLogger({ level: 'silent' }),
      config: TEST_CONFIG,
      requestBudgetMs: 400,
    });
    try {
      // Act
      const res = await request(app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: 'u' })}`)
        .send({ roomIdentifier: ROOM_ARN });
      // Assess
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '2');
    } finally {
      ivs.destroy();
    }
  });
});
