/**
 * JWKS handling under faults and floods, through the verifier the service uses and a real JWKS
 * endpoint that misbehaves on demand. Time is the verifier's injected clock, so "past the cache
 * age" and "after the refetch interval" need no waiting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createJwtVerifier } from '../../../../services/token-vending/auth/verifier.js';
import { HttpError } from '../../../../services/token-vending/platform/problem.js';
import { JWKS_MAX_BYTES, parseJwks } from '../../../../services/token-vending/auth/jwks.js';
import { buildTestApp, ROOM_ARN } from '../support/app.js';
import { startFaultyJwks, type FaultyJwks, type JwksMode } from '../support/faulty-jwks.js';
import { AUDIENCE, ISSUER, newRsaKey, signToken, type TestKey } from '../support/jwks-server.js';

let key: TestKey;
let rotated: TestKey;
before(() => {
  key = newRsaKey('key-1');
  rotated = newRsaKey('key-2');
});

/** A verifier on the endpoint with a clock the test moves (milliseconds). */
function verifierFor(server: FaultyJwks, timeoutMs = 500) {
  const clock = { now: Date.now() };
  const verifier = createJwtVerifier({
    jwksUri: server.jwksUri,
    issuer: ISSUER,
    audience: AUDIENCE,
    rolesClaim: 'roles',
    jwksTimeoutMs: timeoutMs,
    now: () => Math.floor(clock.now / 1000),
  });
  const token = (signer: TestKey, kid = signer.kid): string =>
    signToken(signer, { sub: 'u' }, { kid }, Math.floor(clock.now / 1000));
  const outcome = (value: string): Promise<number> =>
    verifier.verify(value).then(
      () => 200,
      (error: unknown) => (error instanceof HttpError ? error.status : 500),
    );
  return { clock, verifier, token, outcome };
}

/**
 * Waits until `check` holds, or 5 s have passed: a background refresh on a loaded machine can take
 * far longer than on a quiet one. The assertion after it says whether it held.
 */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  const end = performance.now() + 5000;
  while (!(await check()) && performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('JWKS keys under faults', () => {
  let server: FaultyJwks;
  before(async () => {
    server = await startFaultyJwks([key]);
  });
  after(() => server.close());

  it('accepts a rotated key while forged kids flood, once the refetch interval has passed', async () => {
    // Prepare
    server.mode = 'ok';
    server.published.splice(0, server.published.length, key);
    const v = verifierFor(server);
    assert.equal(await v.outcome(v.token(key)), 200);
    // Act: forged kids spend every refetch there is; then the IdP rotates, and the flood goes on.
    for (let i = 0; i < 30; i++) assert.equal(await v.outcome(v.token(key, `forged-${i}`)), 401);
    server.published.push(rotated);
    const results: number[] = [];
    for (let second = 0; second < 12; second++) {
      v.clock.now += 1000;
      for (let i = 0; i < 10; i++) await v.outcome(v.token(key, `forged-${second}-${i}`));
      results.push(await v.outcome(v.token(rotated)));
    }
    // Assess: the real key got in within the interval (6 s) despite the flood, and the flood
    // cost at most the burst plus one fetch per interval.
    assert.ok(
      results.slice(6).every((status) => status === 200),
      `statuses: ${results.join(',')}`,
    );
    assert.ok(server.fetches <= 1 + 5 + 3, `fetched ${server.fetches} times`);
  });

  it('keeps serving cached keys when the endpoint is down past the cache age', async () => {
    server.mode = 'ok';
    server.published.splice(0, server.published.length, key);
    const v = verifierFor(server);
    assert.equal(await v.outcome(v.token(key)), 200);
    server.mode = 'down';
    const before = server.fetches;

    v.clock.now += 60 * 60_000; // an hour: six times the cache age
    const statuses = [await v.outcome(v.token(key)), await v.outcome(v.token(key))];
    await eventually(() => server.fetches > before); // the background refresh reaches the endpoint

    assert.deepEqual(statuses, [200, 200]);
    assert.ok(server.fetches > before, 'a refresh was tried');
  });

  it('picks up a new key set in the background once the cache age has passed', async () => {
    server.mode = 'ok';
    server.published.splice(0, server.published.length, key);
    const v = verifierFor(server);
    assert.equal(await v.outcome(v.token(key)), 200);
    server.published.splice(0, server.published.length, rotated);

    v.clock.now += 11 * 60_000;
    await v.outcome(v.token(key)); // still the cached key; starts the refresh
    await eventually(async () => (await v.outcome(v.token(key))) === 401); // the refresh has landed

    assert.equal(await v.outcome(v.token(key)), 401, 'the withdrawn key is gone');
    assert.equal(await v.outcome(v.token(rotated)), 200);
  });

  /** One request's status with the endpoint in `mode` and the key published, and the fetches it made. */
  async function withEndpoint(mode: JwksMode): Promise<{ status: number; fetches: number }> {
    server.mode = mode;
    server.published.splice(0, server.published.length, key);
    const v = verifierFor(server);
    const before = server.fetches;
    const status = await v.outcome(v.token(key));
    return { status, fetches: server.fetches - before };
  }

  it('fetches again on a new connection when the endpoint resets the first (an idle keep-alive one)', async () => {
    assert.deepEqual(await withEndpoint('reset-once'), { status: 200, fetches: 2 });
  });

  it('answers 503 when the endpoint trickles its answer past the deadline', { timeout: 3000 }, async () => {
    server.mode = 'trickle';
    const v = verifierFor(server, 300);
    assert.equal(await v.outcome(v.token(key)), 503);
  });

  for (const [mode, how] of [
    ['huge', 'its length declared'],
    ['huge-streamed', 'streamed with no length'],
  ] as const) {
    it(
      `refuses a JWKS over ${JWKS_MAX_BYTES / 1024} KB, however valid: ${how}`,
      { timeout: 5000 },
      async () => {
        assert.equal((await withEndpoint(mode)).status, 503);
      },
    );
  }

  it('does not follow a redirect, even to a valid key set', async () => {
    // One fetch: the redirect's target, which would have answered the key, was never asked.
    assert.deepEqual(await withEndpoint('redirect'), { status: 503, fetches: 1 });
  });

  it('answers 503 at once while a cold endpoint keeps failing, without a fetch per caller', async () => {
    server.mode = 'down';
    const v = verifierFor(server);
    const before = server.fetches;
    const statuses = await Promise.all(Array.from({ length: 20 }, () => v.outcome(v.token(key))));
    assert.ok(statuses.every((status) => status === 503));
    assert.ok(server.fetches - before <= 2, `fetched ${server.fetches - before} times`);
  });
});

describe('parseJwks', () => {
  it('keeps only public members and skips unusable entries', () => {
    const jwk = { ...key.privateKey.export({ format: 'jwk' }), kid: 'k', use: 'sig' };
    const keys = parseJwks({
      keys: [jwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, { kty: 'RSA', kid: 'bad' }, 7],
    });
    assert.deepEqual([...keys.keys()], ['k']);
    assert.equal(keys.get('k')?.type, 'public');
  });
});

describe('the per-client limit before verification', () => {
  let server: FaultyJwks;
  before(async () => {
    server = await startFaultyJwks([key]);
  });
  after(() => server.close());

  it('refuses a client whose tokens keep failing, before its tokens reach the verifier', async () => {
    // Prepare: two clients behind one trusted proxy.
    const t = buildTestApp({ jwksUri: server.jwksUri, config: { trustProxy: 1 } });
    const forged = signToken(key, { sub: 'u' }, { kid: 'forged' });
    const statuses: number[] = [];
    // Act
    for (let i = 0; i < 25; i++) {
      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('X-Forwarded-For', '203.0.113.7')
        .set('Authorization', `Bearer ${forged}`)
        .send({ roomIdentifier: ROOM_ARN });
      statuses.push(res.status);
    }
    const fetchesAfterFlood = server.fetches;
    const refused = await request(t.app)
      .post('/v1/chat-tokens')
      .set('X-Forwarded-For', '203.0.113.7')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'u' })}`)
      .send({ roomIdentifier: ROOM_ARN });
    const other = await request(t.app)
      .post('/v1/chat-tokens')
      .set('X-Forwarded-For', '198.51.100.9')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'v' })}`)
      .send({ roomIdentifier: ROOM_ARN });
    // Assess
    assert.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401));
    assert.deepEqual(statuses.slice(20), Array<number>(5).fill(429));
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal(server.fetches, fetchesAfterFlood, 'refused tokens caused no JWKS fetch');
    assert.equal(other.status, 200, 'another client is served');
  });
});
