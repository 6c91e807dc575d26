import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import request from 'supertest';
import { createDevIdentityProvider } from '../../../../services/token-vending/features/dev-login/identity.js';
import { buildTestApp, ROOM_ARN, type TestApp } from '../support/app.js';
import { body } from '../support/http.js';
import {
  AUDIENCE,
  ISSUER,
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

/** 128 characters that are 256 UTF-16 units: IVS counts the former. */
const EMOJI_128 = '\u{1F600}'.repeat(128);
const FORBIDDEN_USER_IDS = [
  ['a control character', 'ann\u0007'],
  ['a C1 control character', 'ann\u0085'],
  ['a right-to-left override', 'ann\u202Egnp.exe'],
  ['a bidi isolate', 'ann\u2066x\u2069'],
  ['a lone surrogate', 'ann\uD800'],
] as const;

function assertProblem(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status);
  assert.equal(body(res).code, code);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
}

/** Sends raw request bytes to a listening app and resolves the status line's code. */
async function rawStatus(t: TestApp, head: string, payload: string): Promise<number> {
  const server: Server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
        if (match) {
          resolve(Number(match[1]));
          socket.destroy();
        }
      });
      socket.on('error', reject);
      socket.write(
        `${head}\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
      );
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('token service request bodies in another charset', () => {
  for (const [charset, encoding] of [
    ['utf-7', 'latin1'],
    ['utf-16le', 'utf16le'],
    ['UTF-16LE', 'utf16le'],
  ] as const) {
    it(`answers 415 to a JSON body declared as charset=${charset}`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri });

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
        .set('Content-Type', `application/json; charset=${charset}`)
        .send(Buffer.from(JSON.stringify({ roomIdentifier: ROOM_ARN }), encoding));

      assertProblem(res, 415, 'unsupported_media_type');
      assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
    });
  }

  it('leaves a request without a body alone, whatever Content-Type it names', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app).get('/healthz').set('Content-Type', 'text/plain; charset=utf-16le');

    assert.equal(res.status, 200);
  });

  it('accepts a body declared as charset="UTF-8" (the control case)', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
      .set('Content-Type', 'application/json; charset="UTF-8"')
      .send(JSON.stringify({ roomIdentifier: ROOM_ARN }));

    assert.equal(res.status, 200);
  });
});

describe('token service duplicate headers', () => {
  const payload = JSON.stringify({ roomIdentifier: ROOM_ARN });

  it('refuses two Authorization headers with 400, calling no IVS', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    const good = signToken(key, { sub: 'user-1' });

    const status = await rawStatus(
      t,
      `POST /v1/chat-tokens HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nauthorization: Bearer other\r\nContent-Type: application/json`,
      payload,
    );

    assert.equal(status, 400);
    assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
  });

  it('refuses two Content-Type headers with 400', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    const good = signToken(key, { sub: 'user-1' });

    const status = await rawStatus(
      t,
      `POST /v1/chat-tokens HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nContent-Type: application/json\r\nContent-Type: text/plain`,
      payload,
    );

    assert.equal(status, 400);
  });

  it('accepts each header once (the control case)', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    const good = signToken(key, { sub: 'user-1' });

    const status = await rawStatus(
      t,
      `POST /v1/chat-tokens HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nContent-Type: application/json`,
      payload,
    );

    assert.equal(status, 200);
  });
});

describe('user ids from the dev login and from a JWT sub', () => {
  const devIdentity = createDevIdentityProvider({ issuer: ISSUER, audience: AUDIENCE, rolesClaim: 'roles' });

  for (const [name, userId] of FORBIDDEN_USER_IDS) {
    it(`refuses a dev login userId with ${name} with 400`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri, devIdentity });

      const res = await request(t.app).post('/v1/dev/login').send({ userId });

      assertProblem(res, 400, 'invalid_body');
    });

    it(`refuses a JWT whose sub has ${name} with 401, calling no IVS`, async () => {
      const t = buildTestApp({ jwksUri: jwks.jwksUri });

      const res = await request(t.app)
        .post('/v1/chat-tokens')
        .set('Authorization', `Bearer ${signToken(key, { sub: userId })}`)
        .send({ roomIdentifier: ROOM_ARN });

      assertProblem(res, 401, 'invalid_token');
      assert.equal(t.ivs.commandCalls(CreateChatTokenCommand).length, 0);
    });
  }

  it('counts a dev login userId in characters: 128 emoji are accepted, 129 are not', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri, devIdentity });

    const accepted = await request(t.app).post('/v1/dev/login').send({ userId: EMOJI_128 });
    const refused = await request(t.app)
      .post('/v1/dev/login')
      .send({ userId: `${EMOJI_128}\u{1F600}` });

    assert.equal(accepted.status, 200);
    assertProblem(refused, 400, 'invalid_body');
  });

  it('passes a JWT sub of 128 emoji to IVS as the userId', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: EMOJI_128 })}`)
      .send({ roomIdentifier: ROOM_ARN });

    assert.equal(res.status, 200);
    assert.equal(t.ivs.commandCalls(CreateChatTokenCommand)[0]?.args[0].input.userId, EMOJI_128);
  });
});

describe('token service logs of a refused body', () => {
  it('name the refused field by position, never by its client-chosen name', async () => {
    const t = buildTestApp({ jwksUri: jwks.jwksUri });
    const secret = 'client-text-7f3a9c';

    const res = await request(t.app)
      .post('/v1/chat-tokens')
      .set('Authorization', `Bearer ${signToken(key, { sub: 'user-1' })}`)
      .send({ roomIdentifier: ROOM_ARN, [secret]: true });

    assertProblem(res, 400, 'invalid_body');
    assert.match(String(body(res).detail), /field 2 /);
    assert.ok(t.logs.length > 0);
    for (const line of t.logs) assert.ok(!line.includes(secret), line);
  });
});
