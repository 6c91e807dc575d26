import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import request from 'supertest';
import { body } from '../support/http.js';
import { buildTestApp, ROOM_ARN } from '../support/app.js';
import {
  AUDIENCE,
  craftToken,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../support/jwks-server.js';

let jwks: JwksServer;
let key: TestKey;
let stranger: TestKey;
before(async () => {
  key = newRsaKey('key-1');
  stranger = newRsaKey('key-1');
  jwks = await startJwksServer([key]);
});
after(() => jwks.close());

const now = (): number => Math.floor(Date.now() / 1000);
const goodClaims = (): Record<string, unknown> => ({
  sub: 'user-1',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: now(),
  exp: now() + 600,
});

async function assertRefused(authorization: string): Promise<request.Response> {
  const t = buildTestApp({ jwksUri: jwks.jwksUri });
  const res = await request(t.app)
    .post('/v1/chat-tokens')
    .set('Authorization', authorization)
    .send({ roomIdentifier: ROOM_ARN });
  assert.equal(res.status, 401);
  assert.equal(body(res).code, 'invalid_token');
  assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0, 'IVS never called');
  return res;
}

describe('JWT verification on POST /v1/chat-tokens', () => {
  it('accepts a well-formed RS256 token (the control case)', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 200);
  });

  it('refuses a token signed with alg none', async () => {
    await assertRefused(`Bearer ${craftToken({ alg: 'none', typ: 'JWT', kid: 'key-1' }, goodClaims())}`);
  });

  it('refuses an HS256 token signed with the public key as the secret', async () => {
    const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' });
    await assertRefused(
      `Bearer ${craftToken({ alg: 'HS256', typ: 'JWT', kid: 'key-1' }, goodClaims(), { hmacSecret: publicPem })}`,
    );
  });

  it('refuses an HS512 token', async () => {
    await assertRefused(
      `Bearer ${craftToken({ alg: 'HS512', typ: 'JWT', kid: 'key-1' }, goodClaims(), { hmacSecret: 'secret' })}`,
    );
  });

  it('refuses a token whose kid is not in the JWKS', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { kid: 'unknown-kid' })}`);
  });

  it('refuses a token signed by another key under a published kid', async () => {
    await assertRefused(`Bearer ${signToken(stranger, { sub: 'user-1' })}`);
  });

  it('refuses an expired token', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { expiresInSeconds: -120 })}`);
  });

  it('refuses a token that is not valid yet', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { notBeforeSeconds: 300 })}`);
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' }, { expiresInSeconds: -5 })}`)
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 200);
  });

  it('refuses a token from another issuer', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { issuer: 'https://evil.example' })}`);
  });

  it('refuses a token for another audience', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { audience: 'another-app' })}`);
  });

  it('refuses a token without exp', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1' }, { omitExp: true })}`);
  });

  it('refuses a token without sub', async () => {
    await assertRefused(`Bearer ${signToken(key, { name: 'nobody' })}`);
  });

  it('refuses a token whose sub is longer than 128 characters', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'u'.repeat(129) })}`);
  });

  it('refuses a malformed token', async () => {
    await assertRefused('Bearer not.a.jwt');
  });

  it('refuses a token over 8 KB', async () => {
    await assertRefused(`Bearer ${signToken(key, { sub: 'user-1', padding: 'x'.repeat(9000) })}`);
  });

  it('refuses another authorization scheme', async () => {
    await assertRefused(`Basic ${Buffer.from('user:pass').toString('base64')}`);
  });

  it('refuses a Bearer header without a token', async () => {
    await assertRefused('Bearer ');
  });

  it('refuses a bad token even when anonymous access is on', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, config: { allowAnonymous: true } });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', 'Bearer not.a.jwt')
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 401);
  });
});

describe('JWKS key handling', () => {
  it('accepts a key rotated in after startup by refetching the JWKS for the unknown kid', async () => {
    const rotated = newRsaKey('key-2');
    const server = await startJwksServer([key]);
    try {
      const t = buildTestApp({ jwksUri: server.jwksUri });
      await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: 'u' })}`)
        .send({ roomIdentifier: ROOM_ARN })
        .expect(200);
      server.published.push(rotated);

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(rotated, { sub: 'u' })}`)
        .send({ roomIdentifier: ROOM_ARN });

      assert.equal(res.status, 200);
      assert.equal(server.fetches, 2);
    } finally {
      await server.close();
    }
  });

  it('serves known keys from cache without refetching', async () => {
    const server = await startJwksServer([key]);
    try {
      const t = buildTestApp({ jwksUri: server.jwksUri });

      for (let i = 0; i < 3; i++) {
        await request(t.app)
          .post('/v1/chat-tokens')
          .set('Authorization', `Bearer ${signToken(key, { sub: `u${i}` })}`)
          .send({ roomIdentifier: ROOM_ARN })
          .expect(200);
      }

      assert.equal(server.fetches, 1);
    } finally {
      await server.close();
    }
  });

  it('bounds refetches when tokens keep naming unknown kids', async () => {
    const server = await startJwksServer([key]);
    try {
      const t = buildTestApp({ jwksUri: server.jwksUri });

      for (let i = 0; i < 15; i++) {
        await request(t.app)
          .post('/v1/chat-tokens')
          .set('Authorization', `Bearer ${signToken(key, { sub: 'u' }, { kid: `forged-${i}` })}`)
          .send({ roomIdentifier: ROOM_ARN })
          .expect(401);
      }

      assert.ok(server.fetches <= 10, `fetched ${server.fetches} times`);
    } finally {
      await server.close();
    }
  });

  it('answers 503 with Retry-After when the JWKS endpoint is down', async () => {
    const server = await startJwksServer([key]);
    server.failing = true;
    try {
      const t = buildTestApp({ jwksUri: server.jwksUri });

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: 'u' })}`)
        .send({ roomIdentifier: ROOM_ARN });

      assert.equal(res.status, 503);
      assert.equal(body(res).code, 'upstream_unavailable');
      assert.ok(Number(res.headers['retry-after']) > 0);
    } finally {
      await server.close();
    }
  });
});
