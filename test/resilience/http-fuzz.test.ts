/**
 * Bad input at volume for the token service: 10,000 malformed requests (wrong methods and paths,
 * junk and oversized headers, bodies that are not JSON, JSON of every wrong shape, deep nesting,
 * forged tokens), most through a keep-alive client and some as raw bytes no HTTP client would send.
 * The service must answer every one with a 4xx (or a 2xx where the request happens to be fine):
 * never a 5xx, never a hang, and it must still serve a good request afterwards.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signToken } from '../services/token-vending/support/jwks-server.js';
import {
  bounded,
  LONG,
  report,
  startResilienceStack,
  tokenRequest,
  type ResilienceStack,
} from './support/stack.js';
import { seeded, type Random } from './support/random.js';

/**
 * The gate sends the first 2,500 of the seeded sequence (about 12 s of CPU on this 2-core machine;
 * all 10,000 took 46 s of CPU, over three minutes of wall time when other work loaded the machine,
 * past the runner's two minutes a file); `npm run test:resilience -- --long` sends all 10,000.
 */
const REQUESTS = LONG ? 10_000 : 2_500;
const RAW_SHARE = 0.1;

let stack: ResilienceStack;
before(async () => {
  // Failed sign-ins from one address are shed after 20 a minute: a 429, which is fine, but the
  // fuzz should reach the parsers too, so the limit is raised here.
  stack = await startResilienceStack({ AUTH_FAILURE_LIMIT: '1000000' });
});
after(() => stack.close());

const PATHS = [
  '/v1/chat-tokens',
  '/v1/rooms',
  '/v1/rooms/abcdEFGH1234',
  '/v1/rooms/abcdEFGH1234/members',
  '/v1/rooms/abcdEFGH1234/members/me',
  '/v1/rooms?maxResults=0&nextToken=%%%',
  '/v1/rooms?memberId=a&memberId=b',
  '/v1/rooms/%zz',
  '/v1/rooms/../../etc/passwd',
  '/v1/rooms/abcdEFGH1234/members/%F0%9F%98%80',
  `/v1/rooms/${'a'.repeat(5000)}`,
  '/healthz',
  '/openapi.json',
  '/v1/dev/login',
  '/.well-known/jwks.json',
  '/%00',
  '/v1/chat-tokens?x=1&x=2',
];

function body(random: Random, roomArn: string): string | Blob | undefined {
  switch (random.int(0, 13)) {
    case 0:
      return undefined;
    case 1:
      return '';
    case 2:
      return '{"roomIdentifier":';
    case 3:
      return '['.repeat(20_000) + ']'.repeat(20_000);
    case 4:
      return JSON.stringify({ roomIdentifier: roomArn, capabilities: ['DELETE_MESSAGE'], userId: 'admin' });
    case 5:
      return JSON.stringify({ roomIdentifier: 12, sessionDurationInMinutes: '5' });
    case 6:
      return JSON.stringify({ roomIdentifier: roomArn, sessionDurationInMinutes: 1e308 });
    case 7:
      return '{"__proto__":{"admin":true},"roomIdentifier":"x"}';
    case 8:
      return new Blob([Uint8Array.from({ length: random.int(1, 300) }, () => random.int(0, 255))]);
    case 9:
      return JSON.stringify({ name: 'n'.repeat(100_000) });
    case 10:
      return JSON.stringify({ role: 'owner', privacy: 'secret', tags: { ['k'.repeat(200)]: 1 } });
    case 11:
      return '\ufeff{"roomIdentifier":"' + roomArn + '"}';
    case 12:
      return 'null';
    default:
      return JSON.stringify({ roomIdentifier: roomArn });
  }
}

function headers(random: Random, goodJwt: string): Record<string, string> {
  const result: Record<string, string> = {};
  const type = random.pick([
    'application/json',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    '',
  ]);
  if (type !== '') result['content-type'] = type;
  switch (random.int(0, 6)) {
    case 0:
      break;
    case 1:
      result.authorization = 'Bearer ' + 'x'.repeat(random.int(1, 9000));
      break;
    case 2:
      result.authorization = `Bearer ${goodJwt}`;
      break;
    case 3:
      result.authorization = 'Basic dXNlcjpwYXNz';
      break;
    case 4:
      result.authorization = `Bearer ${goodJwt.split('.').reverse().join('.')}`;
      break;
    case 5:
      result.authorization = `Bearer eyJhbGciOiJub25lIn0.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
      break;
    default:
      result.authorization = 'Bearer';
  }
  if (random() < 0.2) result['x-request-id'] = random.pick(['', 'a'.repeat(500), 'ok-id', '\u00ff']);
  if (random() < 0.1) result.origin = 'https://evil.example';
  return result;
}

/** Requests no HTTP client library would send: the server's parser answers them itself. */
const RAW = [
  'GARBAGE\r\n\r\n',
  'POST /v1/chat-tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
  'POST /v1/chat-tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnope\r\n0\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'POST /v1/chat-tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nContent-Length: 2\r\n\r\n{}',
  'GET / HTTP/9.9\r\n\r\n',
  'POST /v1/chat-tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"roomIdentifier"',
];

/** Sends raw bytes; resolves with the status line's code, 0 when the server closed without one. */
function raw(url: string, text: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    const done = (): void => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      resolve(match?.[1] ? Number(match[1]) : 0);
      socket.destroy();
    };
    socket.setTimeout(3000, done);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    // Half-close after writing, so a request cut short ends instead of waiting for more bytes.
    socket.end(text);
  });
}

describe('resilience: malformed HTTP at volume', () => {
  it(`answers ${REQUESTS.toLocaleString('en')} malformed requests without a 5xx`, async () => {
    const random = seeded(7);
    const goodJwt = signToken(stack.key, { sub: 'fuzzer' });
    const statuses = new Map<number, number>();
    const clientErrors = new Map<string, number>();
    const started = performance.now();
    await bounded(REQUESTS, 16, async () => {
      let status: number;
      if (random() < RAW_SHARE) {
        status = await raw(stack.service.url, random.pick(RAW));
      } else {
        const method = random.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND']);
        const payload = method === 'GET' || method === 'HEAD' ? undefined : body(random, stack.roomArn);
        try {
          const res = await fetch(`${stack.service.url}${random.pick(PATHS)}`, {
            method,
            headers: headers(random, goodJwt),
            ...(payload === undefined ? {} : { body: payload }),
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch (error) {
          status = -1;
          const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          clientErrors.set(reason, (clientErrors.get(reason) ?? 0) + 1);
        }
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const good = await tokenRequest(stack.service.url, stack.jwt('after-fuzz'), stack.roomArn);
    const sorted = [...statuses].sort(([a], [b]) => a - b);
    report(
      `token service: ${REQUESTS} malformed requests, 16 at a time (seed 7), ${RAW_SHARE * 100} % as raw bytes`,
      [
        `statuses: ${sorted.map(([status, count]) => `${count}× ${status <= 0 ? (status === 0 ? 'closed by the parser' : 'client error') : status}`).join(', ')}`,
        ...[...clientErrors].map(([reason, count]) => `fetch refused to send or read ${count}: ${reason}`),
        `took ${Math.round(performance.now() - started)} ms; a good token request afterwards: ${good.status}`,
      ],
    );
    const fiveHundreds = sorted.filter(([status]) => status >= 500);
    assert.deepEqual(fiveHundreds, []);
    assert.equal(statuses.get(-1) ?? 0, 0, 'every fetch got an answer');
    assert.equal(good.status, 200);
  });
});
