import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError,
  chatTokenSource,
  createApiClient,
  describeApiError,
  parseChatTokenGrant,
  parseRetryAfter,
  problemText,
} from '../../../services/chat-demo/src/api.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456';

interface Recorded {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

type Reply = (response: ServerResponse) => void;

/** A real HTTP server on an ephemeral port that answers each path as a test tells it to. */
function stubService(): { server: Server; requests: Recorded[]; replies: Map<string, Reply> } {
  const requests: Recorded[] = [];
  const replies = new Map<string, Reply>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      const reply = replies.get(request.url ?? '');
      if (reply) reply(response);
      else response.writeHead(404).end();
    });
  });
  return { server, requests, replies };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (response) => {
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    response.writeHead(status, { 'content-type': type, ...headers }).end(JSON.stringify(body));
  };
}

describe('createApiClient', () => {
  const stub = stubService();
  let baseUrl = '';

  before(async () => {
    await new Promise<void>((resolve) => {
      stub.server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = stub.server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}/`;
  });

  after(async () => {
    await new Promise<void>((resolve) =>
      stub.server.close(() => {
        resolve();
      }),
    );
  });

  it('posts the dev login and returns the id token', async () => {
    // Prepare
    stub.replies.set('/v1/dev/login', json(200, { idToken: 'jwt-1' }));
    const api = createApiClient({ baseUrl, fetch });

    // Act
    const idToken = await api.devLogin({ userId: 'ann-1', displayName: 'Ann', roles: ['user'] });

    // Assess
    assert.equal(idToken, 'jwt-1');
    assert.deepEqual(stub.requests.at(-1), {
      method: 'POST',
      url: '/v1/dev/login',
      authorization: undefined,
      body: { userId: 'ann-1', displayName: 'Ann', roles: ['user'] },
    });
  });

  it('asks for a chat token with the bearer JWT and only the room in the body', async () => {
    stub.replies.set(
      '/v1/chat-tokens',
      json(200, {
        token: 'tok',
        tokenExpirationTime: '2026-01-01T00:01:00.000Z',
        sessionExpirationTime: '2026-01-01T01:00:00.000Z',
        userId: 'ann-1',
        capabilities: ['SEND_MESSAGE'],
      }),
    );
    const api = createApiClient({ baseUrl, fetch });

    const grant = await api.createChatToken('jwt-1', ROOM);

    assert.equal(grant.token, 'tok');
    assert.deepEqual(grant.capabilities, ['SEND_MESSAGE']);
    assert.deepEqual(stub.requests.at(-1), {
      method: 'POST',
      url: '/v1/chat-tokens',
      authorization: 'Bearer jwt-1',
      body: { roomIdentifier: ROOM },
    });
  });

  it('signs in again once when the JWT has expired (401), then gets the chat token', async () => {
    const grant = {
      token: 'tok-2',
      tokenExpirationTime: '2026-01-01T00:01:00.000Z',
      sessionExpirationTime: '2026-01-01T01:00:00.000Z',
      userId: 'ann-1',
      capabilities: ['SEND_MESSAGE'],
    };
    stub.replies.set('/v1/chat-tokens', (response) => {
      const authorization = stub.requests.at(-1)?.authorization;
      if (authorization === 'Bearer jwt-fresh') json(200, grant)(response);
      else json(401, { title: 'Unauthorized', status: 401, detail: 'jwt expired' })(response);
    });
    stub.replies.set('/v1/dev/login', json(200, { idToken: 'jwt-fresh' }));
    const api = createApiClient({ baseUrl, fetch });
    const from = stub.requests.length;
    let signIns = 0;
    const next = chatTokenSource(
      api,
      ROOM,
      () => {
        signIns++;
        return api.devLogin({ userId: 'ann-1', displayName: 'Ann', roles: ['user'] });
      },
      'jwt-expired',
    );

    const first = await next();
    const second = await next();

    assert.equal(first.token, 'tok-2');
    assert.equal(second.token, 'tok-2');
    assert.equal(signIns, 1);
    assert.deepEqual(
      stub.requests.slice(from).map((request) => [request.url, request.authorization]),
      [
        ['/v1/chat-tokens', 'Bearer jwt-expired'],
        ['/v1/dev/login', undefined],
        ['/v1/chat-tokens', 'Bearer jwt-fresh'],
        ['/v1/chat-tokens', 'Bearer jwt-fresh'],
      ],
    );
  });

  it('gives up after one new sign-in, and never signs in again for other errors', async () => {
    stub.replies.set('/v1/chat-tokens', json(401, { title: 'Unauthorized', status: 401 }));
    stub.replies.set('/v1/dev/login', json(200, { idToken: 'jwt-still-refused' }));
    const api = createApiClient({ baseUrl, fetch });
    let signIns = 0;
    const signIn = (): Promise<string> => {
      signIns++;
      return api.devLogin({ userId: 'ann-1', displayName: 'Ann', roles: ['user'] });
    };

    await assert.rejects(
      chatTokenSource(api, ROOM, signIn, 'jwt-1')(),
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
    assert.equal(signIns, 1);

    stub.replies.set('/v1/chat-tokens', json(429, { title: 'Too Many Requests', status: 429 }));
    await assert.rejects(
      chatTokenSource(api, ROOM, signIn, 'jwt-1')(),
      (error: unknown) => error instanceof ApiError && error.status === 429,
    );
    assert.equal(signIns, 1);
  });

  it('turns a problem+json answer into an ApiError with its detail and status', async () => {
    stub.replies.set(
      '/v1/chat-tokens',
      json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Room not found' }),
    );
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.createChatToken('jwt-1', ROOM),
      (error: unknown) =>
        error instanceof ApiError &&
        error.code === 'HTTP_ERROR' &&
        error.status === 404 &&
        error.message === 'Room not found',
    );
  });

  it('keeps Retry-After of a 429', async () => {
    stub.replies.set(
      '/v1/chat-tokens',
      json(429, { title: 'Too Many Requests', status: 429 }, { 'retry-after': '7' }),
    );
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.createChatToken('jwt-1', ROOM),
      (error: unknown) => error instanceof ApiError && error.retryAfterSeconds === 7,
    );
  });

  it('refuses a success answer that lacks the token', async () => {
    stub.replies.set('/v1/chat-tokens', json(200, { userId: 'ann-1' }));
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.createChatToken('jwt-1', ROOM),
      (error: unknown) => error instanceof ApiError && error.code === 'BAD_RESPONSE',
    );
  });

  it('reports a connection that fails before any answer as a network error', async () => {
    // Prepare: the stub drops the connection without answering, as a dead proxy would.
    stub.replies.set('/v1/dev/login', (response) => {
      response.socket?.destroy();
    });
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.devLogin({ userId: 'a', displayName: 'A', roles: ['viewer'] }),
      (error: unknown) => error instanceof ApiError && error.code === 'NETWORK_ERROR',
    );
  });
});

describe('parseChatTokenGrant', () => {
  it('drops capabilities it does not know', () => {
    const grant = parseChatTokenGrant({
      token: 't',
      tokenExpirationTime: 'x',
      sessionExpirationTime: 'y',
      userId: 'u',
      capabilities: ['SEND_MESSAGE', 'BECOME_ROOT', 7],
    });

    assert.deepEqual(grant.capabilities, ['SEND_MESSAGE']);
  });
});

describe('problemText', () => {
  it('prefers detail, then title, then the status', () => {
    assert.equal(
      problemText({ title: 'Bad Request', detail: 'roomIdentifier is required' }, 400),
      'roomIdentifier is required',
    );
    assert.equal(problemText({ title: 'Bad Request' }, 400), 'Bad Request');
    assert.equal(problemText('<html>', 502), 'The token service answered HTTP 502');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and ignores anything else', () => {
    assert.equal(parseRetryAfter('30'), 30);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe('describeApiError', () => {
  it('tells the user when to retry after a 429', () => {
    const error = new ApiError('HTTP_ERROR', 'Too Many Requests', { status: 429, retryAfterSeconds: 3 });

    assert.equal(describeApiError(error), 'Too many requests. Try again in 3 s.');
  });

  it('shows the service’s sentence with its status', () => {
    const error = new ApiError('HTTP_ERROR', 'Room not found', { status: 404 });

    assert.equal(describeApiError(error), 'Room not found (HTTP 404)');
  });
});
