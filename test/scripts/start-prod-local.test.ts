/**
 * `npm run start:prod-local`: the token service in production mode (CHAT_BACKEND=aws) against the
 * emulator, verifying JWTs from the local stack's dev login as its identity provider — all in-process
 * on ephemeral ports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRoom } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { startProductionLocal, type ProductionLocal } from '../../scripts/start-prod-local.js';
import { isRecord } from '../../shared/json.js';
import { requestChatToken } from '../services/token-vending/support/http.js';
import { next } from '../services/local-ivschat/helpers.js';

Object.assign(globalThis, { WebSocket });

let running: ProductionLocal;
before(async () => {
  running = await startProductionLocal({
    env: { AWS_REGION: 'us-east-1', LOG_LEVEL: 'silent' },
    idpPort: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    port: 0,
  });
});
after(() => running.close());

async function devLoginToken(userId: string, roles: string[]): Promise<string> {
  const res = await fetch(`${running.stack.tokenServiceUrl}/v1/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, roles }),
  });
  const body: unknown = await res.json();
  assert.ok(isRecord(body) && typeof body.idToken === 'string');
  return body.idToken;
}

describe('npm run start:prod-local', () => {
  it('issues chat tokens in production mode for JWTs from the dev login, verified through its JWKS', async () => {
    const jwt = await devLoginToken('ann', ['moderator']);

    const res = await requestChatToken(running.apiUrl, { roomIdentifier: running.roomArn }, jwt);

    assert.equal(res.status, 200);
    const body: unknown = await res.json();
    assert.ok(isRecord(body));
    assert.equal(body.userId, 'ann');
    assert.deepEqual(body.capabilities, ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']);
  });

  it('has no dev login of its own, and refuses a token it cannot verify', async () => {
    const login = await fetch(`${running.apiUrl}/v1/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'mallory', roles: ['moderator'] }),
    });
    assert.equal(login.status, 404);

    const res = await requestChatToken(running.apiUrl, { roomIdentifier: running.roomArn }, 'e30.e30.sig');
    assert.equal(res.status, 401);
  });

  it('hands out tokens the messaging SDK connects with', async () => {
    const jwt = await devLoginToken('bob', []);
    const room = new ChatRoom({
      regionOrUrl: running.stack.emulator?.wsUrl ?? '',
      maxReconnectAttempts: 0,
      tokenProvider: async () => {
        const res = await requestChatToken(running.apiUrl, { roomIdentifier: running.roomArn }, jwt);
        const body: unknown = await res.json();
        assert.ok(isRecord(body) && typeof body.token === 'string');
        return { token: body.token };
      },
    });
    room.logLevel = 'error';
    const connected = next(room, 'connect');
    room.connect();
    await connected;
    room.disconnect();
  });

  it('prints the AUTH_* values it verifies with and how to try it', () => {
    for (const text of [running.apiUrl, running.auth.jwksUri, running.auth.audience, running.roomArn]) {
      assert.ok(running.banner.includes(text), text);
    }
  });
});
