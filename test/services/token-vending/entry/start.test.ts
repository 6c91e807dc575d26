/**
 * The service as a process runs it: startTokenService on 127.0.0.1:0, the real
 * @aws-sdk/client-ivschat talking HTTP to a stub that answers like IVS Chat, and in local mode the dev
 * login's tokens verified through the service's own JWKS URL over HTTP.
 */
import assert from 'node:assert/strict';
import { Agent, get as httpGet } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../../shared/logger.js';
import { ConfigError } from '../../../../services/token-vending/platform/problem.js';
import { TABLE_ENDPOINT, TEST_TABLE } from '../support/table.js';
import { startTokenService, type RunningService } from '../../../../services/token-vending/entry/start.js';
import { ROOM_ARN } from '../support/app.js';
import { startIvsStub, type IvsStub } from '../support/ivs-stub.js';
import { requestChatToken } from '../support/http.js';
import { AUDIENCE, ISSUER, newRsaKey, signToken, startJwksServer } from '../support/jwks-server.js';
import { closedPort } from '../../../support/ports.js';

const quiet = createLogger({ level: 'silent' });
let stub: IvsStub;
let service: RunningService | undefined;

before(async () => {
  stub = await startIvsStub();
});
after(() => stub.close());
afterEach(async () => {
  stub.reply = { kind: 'token' };
  stub.requests.length = 0;
  await service?.close();
  service = undefined;
});

const stubPort = (): string => new URL(stub.url).port;

async function startLocal(extra: Record<string, string> = {}): Promise<RunningService> {
  service = await startTokenService({
    env: {
      CHAT_BACKEND: 'local',
      EMULATOR_PORT: stubPort(),
      AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
      RATE_LIMIT_MAX: '0',
      IVS_MAX_ATTEMPTS: '1',
      ...extra,
    },
    port: 0,
    host: '127.0.0.1',
    logger: quiet,
  });
  return service;
}

async function devLogin(url: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${url}/v1/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  const json: unknown = await res.json();
  assert.ok(
    typeof json === 'object' && json !== null && 'idToken' in json && typeof json.idToken === 'string',
  );
  return json.idToken;
}

function requestToken(
  url: string,
  idToken: string | undefined,
  body: unknown = { roomIdentifier: ROOM_ARN },
): Promise<Response> {
  return requestChatToken(url, body, idToken);
}

describe('startTokenService in local mode', () => {
  it('issues a chat token for a dev-login user through the real IVS client', async () => {
    const { url } = await startLocal();
    const idToken = await devLogin(url, { userId: 'ann', displayName: 'Ann', roles: ['moderator'] });

    const res = await requestToken(url, idToken, { roomIdentifier: ROOM_ARN, sessionDurationInMinutes: 30 });

    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.match(String(body.token), /^AQICAH/);
    assert.ok(Date.parse(String(body.sessionExpirationTime)) > Date.now() + 50 * 60_000);
    // The room is one made outside the API: recorded from GetRoom on first sight, then the token.
    assert.deepEqual(stub.requests, [
      { path: '/GetRoom', body: { identifier: ROOM_ARN } },
      {
        path: '/CreateChatToken',
        body: {
          roomIdentifier: ROOM_ARN,
          userId: 'ann',
          capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'],
          sessionDurationInMinutes: 30,
          attributes: { role: 'moderator', displayName: 'Ann' },
        },
      },
    ]);
  });

  it('maps an IVS ResourceNotFoundException sent over HTTP to 404', async () => {
    const { url } = await startLocal();
    const idToken = await devLogin(url, { userId: 'ann' });
    stub.reply = {
      kind: 'error',
      status: 404,
      errorType: 'ResourceNotFoundException',
      message: 'Room not found',
    };

    const res = await requestToken(url, idToken);

    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as Record<string, unknown>).code, 'room_not_found');
  });

  it('maps IVS throttling sent over HTTP to 503 with Retry-After', async () => {
    const { url } = await startLocal();
    const idToken = await devLogin(url, { userId: 'ann' });
    stub.reply = { kind: 'error', status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' };

    const res = await requestToken(url, idToken);

    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('answers 503 with Retry-After when IVS refuses the connection', async () => {
    const { url } = await startLocal({ EMULATOR_PORT: String(await closedPort()) });
    const idToken = await devLogin(url, { userId: 'ann' });

    const res = await requestToken(url, idToken);

    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('answers 503 with Retry-After when IVS does not answer in time', async () => {
    const { url } = await startLocal({ IVS_REQUEST_TIMEOUT_MS: '300' });
    const idToken = await devLogin(url, { userId: 'ann' });
    stub.reply = { kind: 'hang' };

    const res = await requestToken(url, idToken);

    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });

  it('lets an in-flight request finish when closed', async () => {
    const running = await startLocal();
    const idToken = await devLogin(running.url, { userId: 'ann' });
    stub.reply = { kind: 'delay', ms: 400 };
    stub.requests.length = 0;
    const inFlight = requestToken(running.url, idToken);
    // In flight for sure: IVS (the stub) has the CreateChatToken call and holds its answer.
    for (let waited = 0; stub.requests.length === 0 && waited < 10_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const closed = running.close();
    const res = await inFlight;
    await closed;
    service = undefined;

    assert.equal(res.status, 200);
    await assert.rejects(fetch(`${running.url}/healthz`));
  });

  it('serves a request sent on an idle keep-alive connection as the drain starts, then ends it', async () => {
    service = await startTokenService({
      env: { CHAT_BACKEND: 'local', EMULATOR_PORT: stubPort(), AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT },
      port: 0,
      host: '127.0.0.1',
      logger: quiet,
      keepAliveGraceMs: 3000, // longer than the default, for a loaded machine
    });
    const running = service;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(`${running.url}/healthz`, agent);

    // The connection is idle, kept by the client for its next request, when the drain starts.
    const closed = running.close();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the client's request is on its way
    const second = await get(`${running.url}/healthz`, agent);
    await closed;
    service = undefined;
    agent.destroy();

    assert.equal(first.status, 200);
    assert.equal(first.connection, 'keep-alive');
    assert.equal(second.status, 200);
    assert.equal(second.socket, first.socket, 'the same connection');
    assert.equal(second.connection, 'close');
    await assert.rejects(fetch(`${running.url}/healthz`), 'no new connection is accepted');
  });
});

/** A GET through `agent`: its status, Connection header and which socket carried it. */
function get(url: string, agent: Agent): Promise<{ status: number; connection: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          connection: String(res.headers.connection),
          socket: req.socket,
        });
      });
    });
    req.on('error', reject);
  });
}

describe('startTokenService with CHAT_BACKEND=aws', () => {
  it('refuses to start without AUTH_* settings, naming each one', async () => {
    await assert.rejects(
      startTokenService({
        env: { CHAT_BACKEND: 'aws', AWS_REGION: 'us-east-1', AUTH_ISSUER: ISSUER },
        port: 0,
        logger: quiet,
      }),
      (error: unknown) =>
        error instanceof ConfigError && /AUTH_JWKS_URI, AUTH_AUDIENCE must be set/.test(error.message),
    );
  });

  it('has no dev login, verifies the configured issuer and honours AWS_ENDPOINT_URL_IVSCHAT', async () => {
    const key = newRsaKey('aws-key');
    const jwks = await startJwksServer([key]);
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_IVSCHAT: stub.url,
      AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    try {
      const { url } = (service = await startTokenService({
        env: {
          CHAT_BACKEND: 'aws',
          AWS_REGION: 'eu-west-1',
          AUTH_JWKS_URI: jwks.jwksUri,
          AUTH_ISSUER: ISSUER,
          AUTH_AUDIENCE: AUDIENCE,
          CHAT_TABLE: TEST_TABLE.name,
        },
        port: 0,
        logger: quiet,
      }));

      const login = await fetch(`${url}/v1/dev/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"userId":"x"}',
      });
      const token = await requestToken(url, signToken(key, { sub: 'aws-user' }));

      assert.equal(login.status, 404);
      assert.equal(token.status, 200);
      assert.equal(stub.requests.filter((request) => request.path === '/CreateChatToken').length, 1);
    } finally {
      process.env = saved;
      await jwks.close();
    }
  });
});

describe('startTokenService with a site', () => {
  const dir = fileURLToPath(new URL('../fixtures/site/', import.meta.url));
  const site = {
    dir,
    config: { emulatorUrl: 'ws://127.0.0.1:4510', roomArn: ROOM_ARN },
    connectSources: ['ws://127.0.0.1:4510'],
  };

  it('serves the page at / with a CSP that lets it run and reach the emulator', async () => {
    service = await startTokenService({
      env: { EMULATOR_PORT: stubPort(), AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT },
      port: 0,
      site,
      logger: quiet,
    });

    const res = await fetch(`${service.url}/`);

    assert.equal(res.status, 200);
    assert.match(await res.text(), /demo fixture/);
    const csp = String(res.headers.get('content-security-policy'));
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:4510/);
  });

  it('serves /config.json and static files, and keeps API routes first', async () => {
    service = await startTokenService({
      env: { EMULATOR_PORT: stubPort(), AWS_ENDPOINT_URL_DYNAMODB: TABLE_ENDPOINT },
      port: 0,
      site,
      logger: quiet,
    });

    const config: unknown = await (await fetch(`${service.url}/config.json`)).json();
    const script = await fetch(`${service.url}/app.js`);
    const health: unknown = await (await fetch(`${service.url}/healthz`)).json();
    const missing = await fetch(`${service.url}/nope.css`);

    // The room's live modes and pin ride along when the table knows the room.
    const { modes: _modes, pinned: _pinned, ...configured } = config as Record<string, unknown>;
    assert.deepEqual(configured, site.config);
    assert.equal(script.status, 200);
    assert.deepEqual(health, { status: 'ok' });
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers.get('content-type')), /problem\+json/);
  });
});
