import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  ChatRoom,
  type ChatLogger,
  type ChatTokenProvider,
  type DisconnectReason,
} from 'amazon-ivs-chat-messaging';
import {
  ApiError,
  createApiClient,
  createIdentity,
  type ChatTokenGrant,
} from '../../../services/chat-demo/src/api.js';
import {
  chatTokenSource,
  createTokenProvider,
  retryPlan,
  sdkChatToken,
  type GrantSource,
} from '../../../services/chat-demo/src/token-provider.js';

// Node 20 has no global WebSocket; the SDK opens its sockets with the global one.
Object.assign(globalThis, { WebSocket });

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456';
const silent: ChatLogger = { debug: () => undefined, info: () => undefined, error: () => undefined };

function grant(overrides: Partial<ChatTokenGrant> = {}): ChatTokenGrant {
  return {
    token: 'chat-token',
    tokenExpirationTime: '2030-01-01T00:01:00.000Z',
    sessionExpirationTime: '2030-01-01T01:00:00.000Z',
    userId: 'ann-1',
    capabilities: ['SEND_MESSAGE'],
    sendBlockedUntil: undefined,
    ...overrides,
  };
}

function chatRoom(url: string, tokenProvider: ChatTokenProvider, maxReconnectAttempts?: number): ChatRoom {
  const room = new ChatRoom({
    regionOrUrl: url,
    tokenProvider,
    ...(maxReconnectAttempts === undefined ? {} : { maxReconnectAttempts }),
  });
  room.logLevel = 'error';
  room.logger = silent;
  return room;
}

/** The room's next `disconnect`; fails after 10 s (generous, for a loaded machine) rather than hang. */
function nextDisconnect(room: ChatRoom): Promise<DisconnectReason> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no disconnect within 10 s (room ${room.state})`));
    }, 10_000);
    const stop = room.addListener('disconnect', (reason) => {
      clearTimeout(timer);
      stop();
      resolve(reason);
    });
  });
}

describe('createTokenProvider', () => {
  it('gives the SDK the token and its two times, and the page the whole grant', async () => {
    const granted: ChatTokenGrant[] = [];
    const provider = createTokenProvider(
      () => Promise.resolve(grant({ sendBlockedUntil: '2030-01-01T00:10:00Z' })),
      {
        granted: (each) => granted.push(each),
        refused: () => assert.fail('not refused'),
      },
    );

    const token = await provider();

    assert.deepEqual(token, {
      token: 'chat-token',
      tokenExpirationTime: '2030-01-01T00:01:00.000Z',
      sessionExpirationTime: '2030-01-01T01:00:00.000Z',
    });
    assert.deepEqual(granted, [grant({ sendBlockedUntil: '2030-01-01T00:10:00Z' })]);
  });

  it('reports a refusal to the page and still rejects, so the SDK knows there is no token', async () => {
    const refusal = new ApiError('HTTP_ERROR', 'banned', { status: 403, problemCode: 'banned' });
    const refused: unknown[] = [];
    const provider = createTokenProvider(() => Promise.reject(refusal), {
      granted: () => assert.fail('not granted'),
      refused: (error) => refused.push(error),
    });

    await assert.rejects(provider(), (error: unknown) => error === refusal);
    assert.deepEqual(refused, [refusal]);
  });
});

describe('sdkChatToken', () => {
  it('leaves out what only the page needs (user id, capabilities, timeout)', () => {
    assert.deepEqual(Object.keys(sdkChatToken(grant())).sort(), [
      'sessionExpirationTime',
      'token',
      'tokenExpirationTime',
    ]);
  });
});

/**
 * What the messaging SDK does with the provider, which the page's handling of 429 and 503 builds on
 * (see token-provider.ts). These pin amazon-ivs-chat-messaging's behaviour: an SDK update that
 * changes it fails here first.
 */
describe('the messaging SDK calling the token provider', () => {
  let service: Server;
  let serviceUrl = '';
  let requests = 0;

  before(async () => {
    // The token service, answering every chat token request with 503 and Retry-After.
    service = createServer((request, response) => {
      request.resume();
      if (request.url === '/v1/chat-tokens') requests++;
      response
        .writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '2' })
        .end(JSON.stringify({ title: 'Service Unavailable', status: 503, code: 'upstream_unavailable' }));
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => service.close(resolve));
  });

  it('asks again at once, maxReconnectAttempts (3) more times, then disconnects with fetchTokenError', async () => {
    // Prepare: a provider that asks the service once per call, as one without its own waiting would.
    requests = 0;
    const client = createApiClient({ baseUrl: serviceUrl, fetch });
    const started: number[] = [];
    const room = chatRoom('ws://127.0.0.1:9', async () => {
      started.push(performance.now());
      return sdkChatToken(await client.createChatToken('jwt', ROOM));
    });
    const disconnected = nextDisconnect(room);

    // Act
    room.connect();
    const reason = await disconnected;

    // Assess: four requests in all, none of them waiting the two seconds the service asked for.
    assert.equal(reason, 'fetchTokenError');
    assert.equal(requests, 4);
    assert.ok((started.at(-1) ?? 0) - (started[0] ?? 0) < 2000);
  });

  it('calls it once per connection with maxReconnectAttempts 0', async () => {
    let calls = 0;
    const room = chatRoom(
      'ws://127.0.0.1:9',
      () => {
        calls++;
        return Promise.reject(new Error('no token'));
      },
      0,
    );
    const disconnected = nextDisconnect(room);

    room.connect();

    assert.equal(await disconnected, 'fetchTokenError');
    assert.equal(calls, 1);
  });

  it('drops a connection that is open when fetching the token for its renewal fails', async () => {
    // Prepare: a socket server that accepts every connection, and a token that lives 31 s, which the
    // SDK renews 30 s before it expires (after about 1 s) on a second connection.
    const sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets.once('listening', resolve));
    const { port } = sockets.address() as AddressInfo;
    let calls = 0;
    const source: GrantSource = () => {
      calls++;
      if (calls > 1) return Promise.reject(new Error('token service unavailable'));
      return Promise.resolve(grant({ tokenExpirationTime: new Date(Date.now() + 31_000).toISOString() }));
    };
    const room = chatRoom(
      `ws://127.0.0.1:${port}`,
      createTokenProvider(source, { granted: () => undefined, refused: () => undefined }),
    );
    let opened = false;
    room.addListener('connect', () => {
      opened = true;
    });
    const disconnected = nextDisconnect(room);
    try {
      // Act: the first connection opens; the renewal fails (the SDK's three immediate calls after it
      // get the same failure from the provider, without asking the source).
      room.connect();
      const reason = await disconnected;

      // Assess: the room is disconnected although its first connection was fine.
      assert.equal(opened, true);
      assert.equal(reason, 'fetchTokenError');
      assert.equal(calls, 2);
      assert.equal(room.state, 'disconnected');
    } finally {
      room.disconnect();
      for (const client of sockets.clients) {
        client.terminate();
      }
      await new Promise<void>((resolve) => {
        sockets.close(() => {
          resolve();
        });
      });
    }
  });
});

/** The token service queueing callers: 503 `upstream_busy` with a ticket, served when it comes back. */
async function queueingService(mode: 'serve' | 'always-busy'): Promise<{
  url: string;
  seen: { at: number; ticket: string | undefined }[];
  close: () => Promise<void>;
}> {
  const seen: { at: number; ticket: string | undefined }[] = [];
  const server = createServer((request, response) => {
    request.resume();
    const ticket = request.headers['admission-ticket'];
    seen.push({ at: performance.now(), ticket: typeof ticket === 'string' ? ticket : undefined });
    if (ticket === 'place-1' && mode === 'serve') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(grant()));
      return;
    }
    response
      .writeHead(503, {
        'content-type': 'application/problem+json',
        'retry-after': '1',
        'admission-ticket': 'place-1',
      })
      .end(JSON.stringify({ title: 'Service Unavailable', status: 503, code: 'upstream_busy' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

describe("the page's token provider at the service's token rate", () => {
  it('a queued viewer connects with two requests: the second, with its ticket, exactly Retry-After later', async () => {
    // Prepare: the service, and a messaging server that accepts every connection.
    const service = await queueingService('serve');
    const sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => sockets.once('listening', resolve));
    const { port } = sockets.address() as AddressInfo;
    const source = chatTokenSource(
      createApiClient({ baseUrl: service.url, fetch }),
      ROOM,
      createIdentity(() => Promise.resolve('jwt'), 'jwt'),
    );
    const room = chatRoom(
      `ws://127.0.0.1:${port}`,
      createTokenProvider(source, { granted: () => undefined, refused: () => undefined }),
    );
    const connected = new Promise<void>((resolve) => {
      room.addListener('connect', () => {
        resolve();
      });
    });
    try {
      // Act
      room.connect();
      await connected;

      // Assess
      assert.deepEqual(
        service.seen.map((request) => request.ticket),
        [undefined, 'place-1'],
      );
      const waited = (service.seen[1]?.at ?? 0) - (service.seen[0]?.at ?? 0);
      // Retry-After: 1; the upper bound allows for a loaded machine.
      assert.ok(waited >= 1000 && waited < 2000, `asked again after ${Math.round(waited)} ms`);
    } finally {
      room.disconnect();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => {
        sockets.close(() => {
          resolve();
        });
      });
      await service.close();
    }
  });

  it("never lets the SDK's immediate calls reach the service: 1 + maxRetries requests, then fetchTokenError", async () => {
    const service = await queueingService('always-busy');
    const refused: unknown[] = [];
    const source = chatTokenSource(
      createApiClient({ baseUrl: service.url, fetch }),
      ROOM,
      createIdentity(() => Promise.resolve('jwt'), 'jwt'),
      { maxRetries: 1 },
    );
    const room = chatRoom(
      'ws://127.0.0.1:9',
      createTokenProvider(source, { granted: () => undefined, refused: (error) => refused.push(error) }),
    );
    const disconnected = nextDisconnect(room);
    try {
      room.connect();
      const reason = await disconnected;
      // A later connect() asks again (the kept failure lasts one turn of the event loop).
      await new Promise((resolve) => setTimeout(resolve, 10));
      const again = nextDisconnect(room);
      room.connect();
      await again;

      assert.equal(reason, 'fetchTokenError');
      assert.deepEqual(
        service.seen.map((request) => request.ticket),
        [undefined, 'place-1', undefined, 'place-1'],
      );
      assert.equal(refused.length, 2, 'the page hears of each failed connect once');
      assert.ok(refused[0] instanceof ApiError && refused[0].problemCode === 'upstream_busy');
    } finally {
      room.disconnect();
      await service.close();
    }
  });
});

describe('retryPlan', () => {
  const busy = (retryAfterSeconds: number) =>
    new ApiError('HTTP_ERROR', 'busy', {
      status: 503,
      retryAfterSeconds,
      problemCode: 'upstream_busy',
      admissionTicket: 'place-7',
    });

  it('waits exactly Retry-After after upstream_busy and sends its ticket back', () => {
    assert.deepEqual(
      retryPlan(busy(7), () => 0.9),
      { seconds: 7, ticket: 'place-7' },
    );
  });

  it('spreads other retryable answers over Retry-After x1 to x2, without a ticket', () => {
    const unavailable = new ApiError('HTTP_ERROR', 'down', {
      status: 503,
      retryAfterSeconds: 4,
      problemCode: 'upstream_unavailable',
    });
    const limited = new ApiError('HTTP_ERROR', 'slow down', { status: 429, retryAfterSeconds: 10 });
    const unreachable = new ApiError('NETWORK_ERROR', 'Cannot reach the token service');

    assert.deepEqual(
      retryPlan(unavailable, () => 0.5),
      { seconds: 6, ticket: undefined },
    );
    assert.deepEqual(
      retryPlan(limited, () => 0),
      { seconds: 10, ticket: undefined },
    );
    assert.deepEqual(
      retryPlan(unreachable, () => 0.25),
      { seconds: 2.5, ticket: undefined },
    );
  });

  it('gives up on answers a retry cannot change', () => {
    for (const status of [400, 401, 403, 404, 413]) {
      assert.equal(
        retryPlan(new ApiError('HTTP_ERROR', 'no', { status }), () => 0),
        undefined,
      );
    }
    assert.equal(
      retryPlan(new Error('not an ApiError'), () => 0),
      undefined,
    );
  });
});
