import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AccessDeniedException,
  ConflictException,
  CreateChatTokenCommand,
  InternalServerException,
  PendingVerification,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-ivschat';
import request from 'supertest';
import { body } from '../support/http.js';
import { buildTestApp, ROOM_ARN } from '../support/app.js';
import {
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
  type TestKey,
} from '../support/jwks-server.js';

let jwks: JwksServer;
let key: TestKey;
before(async () => {
  key = newRsaKey('key-1');
  jwks = await startJwksServer([key]);
});
after(() => jwks.close());

const meta = (httpStatusCode: number) => ({
  $metadata: { httpStatusCode },
  message: 'userId user-1 at field x',
});

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

const cases: readonly [string, Error, number, string, boolean][] = [
  [
    'ResourceNotFoundException',
    new ResourceNotFoundException({ ...meta(404), resourceId: 'x', resourceType: 'ROOM' }),
    404,
    'room_not_found',
    false,
  ],
  [
    'ValidationException',
    new ValidationException({ ...meta(400), reason: 'FIELD_VALIDATION_FAILED' }),
    400,
    'ivs_rejected',
    false,
  ],
  ['AccessDeniedException', new AccessDeniedException(meta(403)), 502, 'upstream_misconfigured', false],
  ['PendingVerification', new PendingVerification(meta(403)), 502, 'upstream_misconfigured', false],
  [
    'ThrottlingException',
    new ThrottlingException({ ...meta(429), limit: 200, resourceId: 'x', resourceType: 'ROOM' }),
    503,
    'upstream_unavailable',
    true,
  ],
  [
    'ServiceQuotaExceededException',
    new ServiceQuotaExceededException({ ...meta(402), limit: 200, resourceId: 'x', resourceType: 'ROOM' }),
    503,
    'upstream_unavailable',
    true,
  ],
  ['InternalServerException', new InternalServerException(meta(500)), 503, 'upstream_unavailable', true],
  ['a refused connection', networkError('ECONNREFUSED'), 503, 'upstream_unavailable', true],
  [
    'a request timeout',
    Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
    503,
    'upstream_unavailable',
    true,
  ],
  [
    'ConflictException (unexpected for CreateChatToken)',
    new ConflictException({ ...meta(409), resourceId: 'x', resourceType: 'ROOM' }),
    502,
    'upstream_error',
    false,
  ],
];

describe('IVS failures on POST /v1/chat-tokens', () => {
  for (const [name, error, status, code, retryAfter] of cases) {
    it(`maps ${name} to ${status}`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri });
      t.ivs.on(CreateChatTokenCommand).rejects(error);

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
        .send({ roomIdentifier: ROOM_ARN });

      assert.equal(res.status, status);
      assert.equal(body(res).code, code);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['retry-after'] !== undefined, retryAfter);
      assert.doesNotMatch(res.text, /user-1|stack|\.ts:/);
    });
  }

  it('logs a misconfiguration as an error, naming the IVS error but not its message', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    t.ivs.on(CreateChatTokenCommand).rejects(new AccessDeniedException(meta(403)));

    await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
      .send({ roomIdentifier: ROOM_ARN })
      .expect(502);

    const errors = t.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.level === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.errorName, 'AccessDeniedException');
    assert.doesNotMatch(JSON.stringify(errors), /user-1/);
  });

  it('answers 502 when IVS returns no token', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    t.ivs.on(CreateChatTokenCommand).resolves({});

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 502);
    assert.equal(body(res).code, 'upstream_error');
  });
});
