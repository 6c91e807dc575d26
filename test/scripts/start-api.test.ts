/**
 * `npm run start:api` end to end: the built token Lambda bundle behind the local HTTP API adapter,
 * talking to the local IVS Chat emulator through the real AWS SDK (CHAT_BACKEND=aws and
 * AWS_ENDPOINT_URL_IVSCHAT, as a deployed function talks to IVS), verifying JWTs against a JWKS
 * server, driven over HTTP.
 *
 * start:api runs as a child process: the bundle reads its environment once, at module load, and
 * node caches the module — exactly like a Lambda container. A child gets this test's environment
 * cleanly, and the test exercises the real command (its template-derived env and its URL line), not
 * a copy of its wiring.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import WebSocket from 'ws';
import { repoRoot } from '../../scripts/sam-template.js';
import { startEmulator, type Emulator } from '../../services/local-ivschat/start.js';
import { startLocalTable, type LocalTable } from '../../services/local-dynamodb/start.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
  type JwksServer,
} from '../services/token-vending/support/jwks-server.js';
import { requestChatToken } from '../services/token-vending/support/http.js';

const bundle = join(repoRoot, 'dist/token-vending/index.js');
const key = newRsaKey('start-api-test');
const WAIT_MS = 60_000;

let emulator: Emulator;
let table: LocalTable;
let jwks: JwksServer;
let api: ChildProcess | undefined;
let apiUrl = '';
let roomArn = '';
const output: string[] = [];

/** Starts `scripts/start-api.ts` like `npm run start:api` and resolves with the URL it prints. */
function startApi(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/start-api.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`start:api printed no URL within ${WAIT_MS} ms:\n${output.join('')}`));
    }, WAIT_MS);
    const collect = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start:api exited with ${String(code)}:\n${output.join('')}`));
    });
  });
}

before(async () => {
  assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build`);
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
  table = await startLocalTable();
  jwks = await startJwksServer([key]);
  const ivs = new IvschatClient({
    endpoint: emulator.url,
    region: emulator.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const room = await ivs.send(new CreateRoomCommand({ name: 'start-api-test' }));
  ivs.destroy();
  roomArn = room.arn ?? '';
  const started = await startApi({
    PATH: process.env.PATH,
    PORT: '0',
    HOST: '127.0.0.1',
    // What the template gives the function, pointed at local stand-ins.
    CHAT_BACKEND: 'aws',
    AWS_REGION: emulator.region,
    AWS_ENDPOINT_URL_IVSCHAT: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    CHAT_TABLE: table.tableName,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AUTH_JWKS_URI: jwks.jwksUri,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_ROLES_CLAIM: 'roles',
    ALLOW_ANONYMOUS: 'false',
    CORS_ORIGINS: '',
    LOG_LEVEL: 'warn',
  });
  api = started.child;
  apiUrl = started.url;
});

after(async () => {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api?.once('exit', resolve));
    api.kill('SIGTERM');
    await exited;
  }
  await jwks.close();
  await table.close();
  await emulator.close();
});

describe('npm run start:api', () => {
  it('issues a chat token that opens a connection to the room', async () => {
    // Prepare
    const jwt = signToken(key, { sub: 'user-1', name: 'Ann' });

    // Act
    const response = await requestChatToken(apiUrl, { roomIdentifier: roomArn }, jwt);

    // Assess
    assert.equal(response.status, 200, await response.clone().text());
    const body: unknown = await response.json();
    assert.ok(typeof body === 'object' && body !== null);
    const token: unknown = Reflect.get(body, 'token');
    assert.equal(typeof token, 'string');
    assert.ok(!Number.isNaN(Date.parse(String(Reflect.get(body, 'tokenExpirationTime')))));
    assert.ok(!Number.isNaN(Date.parse(String(Reflect.get(body, 'sessionExpirationTime')))));
    // The token is real: the emulator's messaging side accepts it as the WebSocket subprotocol.
    const socket = new WebSocket(emulator.wsUrl, String(token));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => {
          resolve();
        });
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, reply) => {
          reject(new Error(`WebSocket refused: ${String(reply.statusCode)}`));
        });
      });
    } finally {
      socket.terminate();
    }
  });

  it('refuses a JWT signed by an unknown key with 401 and WWW-Authenticate', async () => {
    const stranger = newRsaKey('start-api-test');
    const jwt = signToken(stranger, { sub: 'user-1' });

    const response = await requestChatToken(apiUrl, { roomIdentifier: roomArn }, jwt);

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
  });

  it('answers 404 for a room that does not exist', async () => {
    const jwt = signToken(key, { sub: 'user-1' });
    const unknownRoom = `arn:aws:ivschat:${emulator.region}:${emulator.accountId}:room/zzzzzzzzzzzz`;

    const response = await requestChatToken(apiUrl, { roomIdentifier: unknownRoom }, jwt);

    assert.equal(response.status, 404);
  });

  it('answers 400 for a body that names capabilities', async () => {
    const jwt = signToken(key, { sub: 'user-1' });

    const response = await requestChatToken(
      apiUrl,
      { roomIdentifier: roomArn, capabilities: ['DELETE_MESSAGE'] },
      jwt,
    );

    assert.equal(response.status, 400);
  });
});
