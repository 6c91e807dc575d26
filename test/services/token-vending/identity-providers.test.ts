/**
 * Tokens shaped like Amazon Cognito's, Auth0's and Keycloak's, signed by a real local JWKS server and
 * sent to the service as a process runs it (configured through AUTH_* variables only), with the real
 * @aws-sdk/client-ivschat calling a stub that answers like IVS Chat: what reaches CreateChatToken is
 * what each recipe in docs/identity-providers.md promises.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import jwt from 'jsonwebtoken';
import { createLogger } from '../../../shared/logger.js';
import { startTokenService, type RunningService } from '../../../services/token-vending/entry/start.js';
import { TABLE_ENDPOINT } from './support/table.js';
import { ROOM_ARN } from './support/app.js';
import { at, requestChatToken } from './support/http.js';
import { startIvsStub, type IvsStub } from './support/ivs-stub.js';
import {
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from './support/jwks-server.js';

const quiet = createLogger({ level: 'silent' });
let stub: IvsStub;
let jwks: JwksServer;
let key: TestKey;
let service: RunningService | undefined;

before(async () => {
  key = newRsaKey('idp-key');
  [stub, jwks] = await Promise.all([startIvsStub(), startJwksServer([key])]);
});
after(async () => {
  await Promise.all([stub.close(), jwks.close()]);
});
afterEach(async () => {
  stub.requests.length = 0;
  await service?.close();
  service = undefined;
});

async function start(auth: Record<string, string>): Promise<string> {
  service = await startTokenService({
    env: {
      CHAT_BACKEND: 'local',
      EMULATOR_PORT: new URL(stub.url).port,
      AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
      RATE_LIMIT_MAX: '0',
      IVS_MAX_ATTEMPTS: '1',
      AUTH_JWKS_URI: jwks.jwksUri,
      ...auth,
    },
    port: 0,
    host: '127.0.0.1',
    logger: quiet,
  });
  return service.url;
}

/** The CreateChatToken call the service made for the last request. */
function lastCreateChatToken(): { capabilities: unknown; attributes: unknown; userId: unknown } {
  const call = stub.requests.at(-1);
  assert.ok(call, 'CreateChatToken was called');
  return {
    capabilities: at(call.body, 'capabilities'),
    attributes: at(call.body, 'attributes'),
    userId: at(call.body, 'userId'),
  };
}

const MODERATOR = ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'];

describe('Amazon Cognito user pool tokens', () => {
  const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123';
  const clientId = '3n4b5urk1ft4fl3mg5e62d9ado';
  const sub = '0f4e1a52-6b0a-4c8e-9b1e-3c2d7f9a1b00';
  const env = {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: clientId,
    AUTH_ROLES_CLAIM: 'cognito:groups',
    AUTH_NAME_CLAIM: 'cognito:username',
  };

  it('accepts the ID token: groups become the role, the user name the display name', async () => {
    const url = await start(env);
    const idToken = signToken(
      key,
      {
        sub,
        token_use: 'id',
        'cognito:groups': ['moderator'],
        'cognito:username': 'ann',
        email: 'ann@example.com',
      },
      { issuer, audience: clientId },
    );

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, idToken);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken(), {
      capabilities: MODERATOR,
      attributes: { role: 'moderator', displayName: 'ann' },
      userId: sub,
    });
  });

  it('refuses the access token, which has no aud (only client_id)', async () => {
    const url = await start(env);
    // Cognito access tokens carry client_id and no aud claim at all.
    const now = Math.floor(Date.now() / 1000);
    const accessToken = jwt.sign(
      {
        sub,
        token_use: 'access',
        client_id: clientId,
        'cognito:groups': ['moderator'],
        username: 'ann',
        iat: now,
        exp: now + 600,
      },
      key.privateKey,
      { algorithm: 'RS256', keyid: key.kid, issuer },
    );

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, accessToken);

    assert.equal(res.status, 401);
    assert.equal(stub.requests.length, 0);
  });
});

describe('Auth0 access tokens with namespaced claims', () => {
  const issuer = 'https://example-tenant.eu.auth0.com/';
  const apiIdentifier = 'https://chat.example.com';
  const env = {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: apiIdentifier,
    AUTH_ROLES_CLAIM: 'https://example.com/roles',
    AUTH_NAME_CLAIM: 'https://example.com/name',
  };

  it('reads roles and the name from the namespaced claims, with aud an array', async () => {
    const url = await start(env);
    const token = signToken(
      key,
      {
        sub: 'auth0|65a1f0c2e4b0a1b2c3d4e5f6',
        scope: 'openid profile',
        azp: 'kT9xQ2',
        'https://example.com/roles': ['moderator'],
        'https://example.com/name': 'Ann Example',
      },
      { issuer, audience: [apiIdentifier, 'https://example-tenant.eu.auth0.com/userinfo'] },
    );

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, token);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken(), {
      capabilities: MODERATOR,
      attributes: { role: 'moderator', displayName: 'Ann Example' },
      userId: 'auth0|65a1f0c2e4b0a1b2c3d4e5f6',
    });
  });

  it('gives a user without the roles claim the default role', async () => {
    const url = await start(env);
    const token = signToken(
      key,
      { sub: 'auth0|plain', name: 'ignored' },
      { issuer, audience: apiIdentifier },
    );

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, token);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken().capabilities, ['SEND_MESSAGE']);
    assert.deepEqual(lastCreateChatToken().attributes, { role: 'user', displayName: 'auth0|plain' });
  });
});

describe('Keycloak access tokens with nested roles', () => {
  const issuer = 'https://keycloak.example.com/realms/chat';
  const claims = {
    sub: 'f3b6c1d2-1111-4a2b-9c3d-0e1f2a3b4c5d',
    typ: 'Bearer',
    azp: 'chat-web',
    preferred_username: 'ann',
    name: 'Ann Example',
    realm_access: { roles: ['offline_access', 'uma_authorization', 'moderator'] },
    resource_access: {
      'chat.web': { roles: ['viewer'] },
      account: { roles: ['manage-account'] },
    },
  };

  it('reads realm roles at realm_access.roles, with the audience mapper adding the client', async () => {
    const url = await start({
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: 'chat-web',
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      AUTH_NAME_CLAIM: 'preferred_username',
    });
    const token = signToken(key, claims, { issuer, audience: ['chat-web', 'account'] });

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, token);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken(), {
      capabilities: MODERATOR,
      attributes: { role: 'moderator', displayName: 'ann' },
      userId: claims.sub,
    });
  });

  it('reads client roles under a client id that contains a dot', async () => {
    const url = await start({
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: 'chat-web',
      AUTH_ROLES_CLAIM: 'resource_access.chat.web.roles',
    });
    const token = signToken(key, claims, { issuer, audience: 'chat-web' });

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, token);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken().capabilities, []);
    assert.deepEqual(lastCreateChatToken().attributes, { role: 'viewer', displayName: 'Ann Example' });
  });

  it("refuses Keycloak's default access token, whose aud is only account", async () => {
    const url = await start({ AUTH_ISSUER: issuer, AUTH_AUDIENCE: 'chat-web' });
    const token = signToken(key, claims, { issuer, audience: 'account' });

    const res = await requestChatToken(url, { roomIdentifier: ROOM_ARN }, token);

    assert.equal(res.status, 401);
    assert.equal(stub.requests.length, 0);
  });
});

describe('the dev login as a stand-in for a provider', () => {
  it('puts roles and the name where AUTH_ROLES_CLAIM and AUTH_NAME_CLAIM say, and reads them back', async () => {
    service = await startTokenService({
      env: {
        CHAT_BACKEND: 'local',
        EMULATOR_PORT: new URL(stub.url).port,
        AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
        RATE_LIMIT_MAX: '0',
        IVS_MAX_ATTEMPTS: '1',
        AUTH_ROLES_CLAIM: 'realm_access.roles',
        AUTH_NAME_CLAIM: 'preferred_username',
      },
      port: 0,
      host: '127.0.0.1',
      logger: quiet,
    });
    const login = await fetch(`${service.url}/v1/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'kim', displayName: 'Kim', roles: ['moderator'] }),
    });
    const answer: unknown = await login.json();
    assert.ok(typeof answer === 'object' && answer !== null && 'idToken' in answer);
    const idToken = String(answer.idToken);

    const res = await requestChatToken(service.url, { roomIdentifier: ROOM_ARN }, idToken);

    assert.equal(res.status, 200);
    assert.deepEqual(lastCreateChatToken(), {
      capabilities: MODERATOR,
      attributes: { role: 'moderator', displayName: 'Kim' },
      userId: 'kim',
    });
  });
});
