import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { createLogger } from '../../../shared/logger.js';
import { createApp } from '../../../services/token-vending/app.js';
import request from 'supertest';
import { at, body } from './support/http.js';
import { DEFAULT_POLICY, parsePolicy } from '../../../services/token-vending/access/chat-policy.js';
import { createDevIdentityProvider } from '../../../services/token-vending/features/dev-login/identity.js';
import { readFileSync } from 'node:fs';
import { TEST_TABLE } from './support/table.js';
import { buildTestApp, ROOM_ARN, TEST_CONFIG } from './support/app.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from './support/jwks-server.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));

let jwks: JwksServer;
let key: TestKey;
before(async () => {
  key = newRsaKey('key-1');
  jwks = await startJwksServer([key]);
});
after(() => jwks.close());

const bearer = (claims: Record<string, unknown>): string => `Bearer ${signToken(key, claims)}`;

function lastCreateChatTokenInput(t: ReturnType<typeof buildTestApp>): unknown {
  const calls = t.ivs.commandCalls(CreateChatTokenCommand);
  assert.equal(calls.length, 1, 'CreateChatToken called once');
  return calls[0]?.args[0].input;
}

function assertProblem(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(body(res).status, status);
  assert.equal(body(res).code, code);
  assert.equal(body(res).requestId, res.headers['x-request-id']);
  assert.doesNotMatch(res.text, /\bat .*\.(ts|js):\d+/, 'no stack trace');
}

describe('POST /v1/chat-tokens', () => {
  it('answers a signed-in user with the token, its times, user id and capabilities', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'user-1', name: 'Ann' }))
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 200);
    assert.equal(body(res).token, 'AQICAHchat-token-secret');
    assert.ok(!Number.isNaN(Date.parse(String(body(res).tokenExpirationTime))));
    assert.ok(!Number.isNaN(Date.parse(String(body(res).sessionExpirationTime))));
    assert.equal(body(res).userId, 'user-1');
    assert.deepEqual(body(res).capabilities, ['SEND_MESSAGE']);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('passes CreateChatToken the sub, the policy capabilities, the default 60 minutes and claim attributes', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    await request(t.app)
      .post('/v1/chat-tokens')
      .set(
        'Authorization',
        bearer({ sub: 'user-1', name: 'Ann', picture: 'https://img.example/a.png', email: 'a@x' }),
      )
      .send({ roomIdentifier: ROOM_ARN })
      .expect(200);

    assert.deepEqual(lastCreateChatTokenInput(t), {
      roomIdentifier: ROOM_ARN,
      userId: 'user-1',
      capabilities: ['SEND_MESSAGE'],
      sessionDurationInMinutes: 60,
      attributes: { role: 'user', displayName: 'Ann', avatarUrl: 'https://img.example/a.png' },
    });
  });

  it('gives a moderator the three capabilities and role moderator', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'mod-1', name: 'Mo', roles: ['user', 'moderator'] }))
      .send({ roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 15 })
      .expect(200);

    assert.deepEqual(lastCreateChatTokenInput(t), {
      roomIdentifier: ROOM_ARN,
      userId: 'mod-1',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
      sessionDurationInMinutes: 15,
      attributes: { role: 'moderator', displayName: 'Mo' },
    });
  });

  it('gives a viewer no capability even when signed in', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'v-1', roles: ['viewer'] }))
      .send({ roomIdentifier: ROOM_ARN })
      .expect(200);

    assert.deepEqual(body(res).capabilities, []);
    assert.deepEqual(lastCreateChatTokenInput(t), {
      roomIdentifier: ROOM_ARN,
      userId: 'v-1',
      capabilities: [],
      sessionDurationInMinutes: 60,
      attributes: { role: 'viewer', displayName: 'v-1' },
    });
  });

  it('caps the session at the role maximum and reads attributes as the policy file maps them', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, policy: parsePolicy(fixture('policies/strict.json')) });

    await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'm-1', nickname: 'Kit', name: 'ignored', team: 'blue' }))
      .send({ roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 180 })
      .expect(200);

    assert.deepEqual(lastCreateChatTokenInput(t), {
      roomIdentifier: ROOM_ARN,
      userId: 'm-1',
      capabilities: ['SEND_MESSAGE'],
      sessionDurationInMinutes: 20,
      attributes: { role: 'member', displayName: 'Kit', team: 'blue' },
    });
  });

  it('gives an anonymous caller a view-only token when anonymous access is on', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, config: { allowAnonymous: true } });

    const res = await request(t.app).post('/v1/chat-tokens').send({ roomIdentifier: ROOM_ARN }).expect(200);

    assert.deepEqual(body(res).capabilities, []);
    assert.match(String(body(res).userId), /^anonymous-[0-9a-f-]{36}$/);
    const input = lastCreateChatTokenInput(t);
    assert.deepEqual(input, {
      roomIdentifier: ROOM_ARN,
      userId: body(res).userId,
      capabilities: [],
      sessionDurationInMinutes: 60,
      attributes: { role: 'anonymous', displayName: 'Guest' },
    });
  });

  it('refuses a caller without a JWT when anonymous access is off', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).post('/v1/chat-tokens').send({ roomIdentifier: ROOM_ARN });

    assertProblem(res, 401, 'missing_token');
    assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
  });

  for (const [name, payload] of [
    ['a body naming capabilities', { roomIdentifier: ROOM_ARN, capabilities: ['DELETE_MESSAGE'] }],
    ['a body naming a userId', { roomIdentifier: ROOM_ARN, userId: 'someone-else' }],
    ['a body naming attributes', { roomIdentifier: ROOM_ARN, attributes: { role: 'moderator' } }],
    ['a room that is not an ARN', { roomIdentifier: 'abcdEFGH1234' }],
    ['a missing room', { sessionDurationInMinutes: 10 }],
    ['a session of 0 minutes', { roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 0 }],
    ['a session of 181 minutes', { roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 181 }],
    ['a fractional session', { roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 1.5 }],
    ['a session given as a string', { roomIdentifier: ROOM_ARN, sessionDurationInMinutes: '30' }],
    ['a JSON array', [ROOM_ARN]],
  ] as const) {
    it(`refuses ${name} with 400 before calling IVS`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri });

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', bearer({ sub: 'user-1' }))
        .send(payload);

      assertProblem(res, 400, 'invalid_body');
      assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
    });
  }

  it('refuses malformed JSON with 400', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'user-1' }))
      .set('Content-Type', 'application/json')
      .send('{"roomIdentifier": ');

    assertProblem(res, 400, 'invalid_json');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'user-1' }))
      .set('Content-Type', 'text/plain')
      .send(`roomIdentifier=${ROOM_ARN}`);

    assertProblem(res, 415, 'unsupported_media_type');
  });

  it('refuses a request with no body with 415', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'user-1' }));

    assertProblem(res, 415, 'unsupported_media_type');
  });

  it('refuses a body over 4 KB with 413', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'user-1' }))
      .send({ roomIdentifier: ROOM_ARN, padding: 'x'.repeat(5000) });

    assertProblem(res, 413, 'payload_too_large');
  });

  it('refuses a caller holding a denied role with 403', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, policy: parsePolicy(fixture('policies/strict.json')) });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'b-1', roles: ['member', 'banned'] }))
      .send({ roomIdentifier: ROOM_ARN });

    assertProblem(res, 403, 'forbidden');
    assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
  });

  it('refuses a room outside the policy allow-list with 403', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, policy: parsePolicy(fixture('policies/strict.json')) });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', bearer({ sub: 'm-1' }))
      .send({ roomIdentifier: 'arn:aws:ivschat:us-east-1:123456789012:room/zzzzZZZZ9999' });

    assertProblem(res, 403, 'forbidden');
  });

  it('answers 429 with Retry-After once a user exceeds the limit, and serves again in the next window', async () => {
    const t = buildTestApp({
      jwksUri: jwks.jwksUri,
      config: { rateLimit: { max: 2, windowMs: 60_000 } },
    });
    const send = (sub: string): request.Test =>
      request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', bearer({ sub }))
        .send({ roomIdentifier: ROOM_ARN });
    await send('busy').expect(200);
    await send('busy').expect(200);

    const limited = await send('busy');
    const otherUser = await send('calm');
    t.clock.now += 61_000;
    const nextWindow = await send('busy');

    assertProblem(limited, 429, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1 && Number(limited.headers['retry-after']) <= 60);
    assert.equal(otherUser.status, 200);
    assert.equal(nextWindow.status, 200);
  });

  it('limits anonymous callers by IP', async () => {
    const t = buildTestApp({
      jwksUri: jwks.jwksUri,
      config: { allowAnonymous: true, rateLimit: { max: 1, windowMs: 60_000 } },
    });
    await request(t.app).post('/v1/chat-tokens').send({ roomIdentifier: ROOM_ARN }).expect(200);

    const res = await request(t.app).post('/v1/chat-tokens').send({ roomIdentifier: ROOM_ARN });

    assertProblem(res, 429, 'rate_limited');
  });
});

describe('every response', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/v1/nothing-here');

    assertProblem(res, 404, 'not_found');
  });

  it('answers GET on the token route with a 404 problem', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/v1/chat-tokens');

    assertProblem(res, 404, 'not_found');
  });

  it('carries a fresh request id, or the caller’s well-formed one', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const fresh = await request(t.app).get('/healthz');
    const echoed = await request(t.app).get('/healthz').set('X-Request-Id', 'trace-abc.123');
    const replaced = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id with spaces');

    assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(echoed.headers['x-request-id'], 'trace-abc.123');
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('carries helmet’s security headers and no x-powered-by', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/healthz');

    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['content-security-policy']);
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('allows a configured CORS origin and no other', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const allowed = await request(t.app)
      .options('/v1/chat-tokens')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    const other = await request(t.app)
      .options('/v1/chat-tokens')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');

    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.match(String(allowed.headers['access-control-allow-headers']), /Authorization/);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('warns of a refused CORS origin, but not of the page it serves itself (same origin)', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    const warnings = (): string[] => t.logs.filter((line) => line.includes('origin not in CORS_ORIGINS'));

    const sameOrigin = await request(t.app)
      .get('/healthz')
      .set('Host', '127.0.0.1:4100')
      .set('Origin', 'http://127.0.0.1:4100');
    const afterSameOrigin = warnings().length;
    await request(t.app)
      .options('/v1/chat-tokens')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');

    assert.equal(sameOrigin.status, 200);
    assert.equal(afterSameOrigin, 0);
    assert.equal(warnings().length, 1);
    assert.match(warnings()[0] ?? '', /https:\/\/evil\.example/);
  });
});

/** Every (method, path) the app routes, read from Express's own router (nested routers included). */
function routesOf(app: unknown): string[] {
  const out: string[] = [];
  const walk = (stack: unknown): void => {
    if (!Array.isArray(stack)) return;
    for (const layer of stack) {
      const route = at(layer, 'route');
      const path = at(route, 'path');
      const methods = at(route, 'methods');
      if (typeof path === 'string' && typeof methods === 'object' && methods !== null) {
        for (const method of Object.keys(methods)) out.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
      }
      const handle: unknown = at(layer, 'handle');
      walk(typeof handle === 'function' ? Reflect.get(handle, 'stack') : undefined);
    }
  };
  // The app and routers are functions, which `at` does not descend into.
  const router: unknown = typeof app === 'function' ? Reflect.get(app, 'router') : undefined;
  walk(typeof router === 'function' ? Reflect.get(router, 'stack') : undefined);
  return out;
}

describe('GET /healthz and GET /openapi.json', () => {
  it('describes every route the app serves', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/openapi.json').expect(200);

    const routes = routesOf(t.app).filter((route) => route.includes('/v1/'));
    assert.ok(routes.length >= 9, routes.join(', '));
    for (const route of routes) {
      const [method = '', path = ''] = route.split(' ');
      assert.ok(at(body(res), 'paths', path, method), `${route} is in openapi.json`);
    }
  });

  it('reports ok', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/healthz').expect(200);

    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('describes the token route and its error statuses', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/openapi.json').expect(200);

    assert.equal(body(res).openapi, '3.1.0');
    const responses = at(body(res), 'paths', '/v1/chat-tokens', 'post', 'responses');
    assert.ok(typeof responses === 'object' && responses !== null);
    assert.deepEqual(Object.keys(responses).sort(), [
      '200',
      '400',
      '401',
      '403',
      '404',
      '413',
      '415',
      '429',
      '500',
      '502',
      '503',
    ]);
    assert.equal(at(body(res), 'paths', '/v1/dev/login'), undefined);
  });
});

describe('POST /v1/dev/login', () => {
  const devIdentity = createDevIdentityProvider({ issuer: ISSUER, audience: AUDIENCE, rolesClaim: 'roles' });

  it('is absent without a dev identity provider (AWS mode)', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const login = await request(t.app).post('/v1/dev/login').send({ userId: 'ann' });
    const keys = await request(t.app).get('/.well-known/jwks.json');

    assertProblem(login, 404, 'not_found');
    assertProblem(keys, 404, 'not_found');
  });

  it('issues an RS256 ID token with sub, name, roles, iss, aud and exp', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, devIdentity });

    const res = await request(t.app)
      .post('/v1/dev/login')
      .send({ userId: 'ann', displayName: 'Ann', roles: ['moderator'] })
      .expect(200);

    const [header, payload] = String(body(res).idToken)
      .split('.')
      .slice(0, 2)
      .map((part): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
    assert.equal(at(header, 'alg'), 'RS256');
    assert.equal(at(header, 'kid'), devIdentity.jwks.keys[0]?.kid);
    assert.equal(at(payload, 'sub'), 'ann');
    assert.equal(at(payload, 'name'), 'Ann');
    assert.deepEqual(at(payload, 'roles'), ['moderator']);
    assert.equal(at(payload, 'iss'), ISSUER);
    assert.equal(at(payload, 'aud'), AUDIENCE);
    assert.equal(typeof at(payload, 'exp'), 'number');
  });

  it('publishes the public key and nothing private', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, devIdentity });

    const res = await request(t.app).get('/.well-known/jwks.json').expect(200);

    assert.equal(at(body(res), 'keys', 'length'), 1);
    assert.equal(at(body(res), 'keys', 0, 'kty'), 'RSA');
    assert.equal(at(body(res), 'keys', 0, 'd'), undefined);
  });

  for (const [name, payload] of [
    ['an empty userId', { userId: '' }],
    ['a userId over 128 characters', { userId: 'u'.repeat(129) }],
    ['roles that are not a list of names', { userId: 'ann', roles: 'moderator' }],
    ['an unknown field', { userId: 'ann', admin: true }],
  ] as const) {
    it(`refuses ${name} with 400`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri, devIdentity });

      const res = await request(t.app).post('/v1/dev/login').send(payload);

      assertProblem(res, 400, 'invalid_body');
    });
  }
});

describe('an unexpected failure', () => {
  it('answers 500 with a generic problem and logs the error without its stack', async () => {
    const logs: string[] = [];
    const app = createApp({
      ivs: new IvschatClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 't', secretAccessKey: 't' },
      }),
      table: TEST_TABLE,
      region: 'us-east-1',
      verifier: {
        verify: () => Promise.reject(new TypeError('boom in a dependency')),
      },
      policy: DEFAULT_POLICY,
      clock: Date.now,
      logger: createLogger({ write: (line) => logs.push(line) }),
      config: TEST_CONFIG,
    });

    const res = await request(app)
      .post('/v1/chat-tokens')
      .set('Authorization', 'Bearer a.b.c')
      .send({ roomIdentifier: ROOM_ARN });

    assertProblem(res, 500, 'internal');
    assert.doesNotMatch(res.text, /boom/);
    const error = logs
      .map((line): unknown => JSON.parse(line))
      .find((entry) => at(entry, 'level') === 'error');
    assert.equal(at(error, 'errorName'), 'TypeError');
    assert.doesNotMatch(logs.join('\n'), /\n\s+at /);
  });
});
