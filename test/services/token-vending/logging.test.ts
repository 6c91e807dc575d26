import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../shared/logger.js';
import { startTokenService, type RunningService } from '../../../services/token-vending/entry/start.js';
import { ROOM_ARN } from './support/app.js';
import { at } from './support/http.js';
import { startIvsStub, type IvsStub } from './support/ivs-stub.js';
import { TABLE_ENDPOINT } from './support/table.js';

const USER_ID = 'user-7f3a9c-secret';
const DISPLAY_NAME = 'Zelda Quixote';

let stub: IvsStub;
let service: RunningService;
const lines: string[] = [];

before(async () => {
  stub = await startIvsStub();
  service = await startTokenService({
    env: {
      EMULATOR_PORT: new URL(stub.url).port,
      AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
      IVS_MAX_ATTEMPTS: '1',
    },
    port: 0,
    logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
  });
});
after(async () => {
  await service.close();
  await stub.close();
});

async function post(
  path: string,
  body: unknown,
  idToken?: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idToken === undefined ? {} : { authorization: `Bearer ${idToken}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('token service logs', () => {
  it('never contain the JWT, the chat token, the user id or claims at info level', async () => {
    const login = await post('/v1/dev/login', {
      userId: USER_ID,
      displayName: DISPLAY_NAME,
      roles: ['moderator'],
    });
    const idToken = String(at(login.body, 'idToken'));
    const issued = await post('/v1/chat-tokens', { roomIdentifier: ROOM_ARN }, idToken);
    const chatToken = String(at(issued.body, 'token'));
    const tampered = await post(
      '/v1/chat-tokens',
      { roomIdentifier: ROOM_ARN },
      `${idToken.slice(0, -4)}AAAA`,
    );
    stub.reply = {
      kind: 'error',
      status: 400,
      errorType: 'ValidationException',
      message: `Value '${USER_ID}' at 'userId' failed`,
    };
    const rejected = await post('/v1/chat-tokens', { roomIdentifier: ROOM_ARN }, idToken);
    stub.reply = {
      kind: 'error',
      status: 403,
      errorType: 'AccessDeniedException',
      message: `User ${USER_ID} not authorized`,
    };
    const denied = await post('/v1/chat-tokens', { roomIdentifier: ROOM_ARN }, idToken);

    assert.deepEqual(
      [login.status, issued.status, tampered.status, rejected.status, denied.status],
      [200, 200, 401, 400, 502],
    );
    assert.ok(lines.length >= 5, 'the flow was logged');
    const output = lines.join('\n');
    for (const secret of [idToken, idToken.split('.')[2] ?? idToken, chatToken, USER_ID, DISPLAY_NAME]) {
      assert.equal(output.includes(secret), false, `log output contains ${secret.slice(0, 12)}…`);
    }
  });
});
