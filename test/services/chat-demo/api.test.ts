import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError,
  createApiClient,
  createIdentity,
  describeApiError,
  parseBanProblem,
  parseChatTokenGrant,
  parseRetryAfter,
  problemText,
} from '../../../services/chat-demo/src/api.js';
import { chatTokenSource } from '../../../services/chat-demo/src/token-provider.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456';
const ROOM_JSON = {
  id: 'abcDEF123456',
  arn: ROOM,
  name: 'team',
  privacy: 'private',
  createTime: '2026-01-01T00:00:00.000Z',
  updateTime: '2026-01-01T00:00:00.000Z',
  maximumMessageLength: 300,
  maximumMessageRatePerSecond: 10,
  tags: {},
  myRole: 'owner',
};

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
      createIdentity(() => {
        signIns++;
        return api.devLogin({ userId: 'ann-1', displayName: 'Ann', roles: ['user'] });
      }, 'jwt-expired'),
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
      chatTokenSource(api, ROOM, createIdentity(signIn, 'jwt-1'))(),
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
    assert.equal(signIns, 1);

    stub.replies.set('/v1/chat-tokens', json(429, { title: 'Too Many Requests', status: 429 }));
    await assert.rejects(
      // No retries: this is about signing in (token-provider.test.ts covers the waiting).
      chatTokenSource(api, ROOM, createIdentity(signIn, 'jwt-1'), { maxRetries: 0 })(),
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

  it('lists my rooms with memberId=me and the bearer JWT, passing the next page token on', async () => {
    stub.replies.set('/v1/rooms?memberId=me', json(200, { rooms: [ROOM_JSON], nextToken: 'a b/c' }));
    stub.replies.set('/v1/rooms?memberId=me&nextToken=a+b%2Fc', json(200, { rooms: [] }));
    const api = createApiClient({ baseUrl, fetch });

    const first = await api.listRooms('jwt-1', { mine: true });
    const second = await api.listRooms('jwt-1', { mine: true, nextToken: first.nextToken ?? '' });

    assert.deepEqual(
      first.rooms.map((room) => [room.name, room.privacy, room.myRole]),
      [['team', 'private', 'owner']],
    );
    assert.deepEqual(second, { rooms: [], nextToken: undefined });
    assert.deepEqual(
      stub.requests.slice(-2).map((request) => [request.method, request.url, request.authorization]),
      [
        ['GET', '/v1/rooms?memberId=me', 'Bearer jwt-1'],
        ['GET', '/v1/rooms?memberId=me&nextToken=a+b%2Fc', 'Bearer jwt-1'],
      ],
    );
  });

  it('lists the visible rooms without memberId', async () => {
    stub.replies.set('/v1/rooms', json(200, { rooms: [{ ...ROOM_JSON, privacy: 'public', myRole: null }] }));
    const api = createApiClient({ baseUrl, fetch });

    const page = await api.listRooms('jwt-1', { mine: false });

    assert.equal(page.rooms[0]?.myRole, null);
    assert.equal(stub.requests.at(-1)?.url, '/v1/rooms');
  });

  it('refuses a room list whose rooms are not as expected', async () => {
    stub.replies.set('/v1/rooms', json(200, { rooms: [{ ...ROOM_JSON, privacy: 'secret' }] }));
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.listRooms('jwt-1', { mine: false }),
      (error: unknown) => error instanceof ApiError && error.code === 'BAD_RESPONSE',
    );
  });

  it('creates a room with only its name and privacy, and returns it', async () => {
    stub.replies.set('/v1/rooms', json(201, ROOM_JSON));
    const api = createApiClient({ baseUrl, fetch });

    const room = await api.createRoom('jwt-1', { name: 'team', privacy: 'private' });

    assert.equal(room.arn, ROOM);
    assert.equal(room.maximumMessageLength, 300);
    assert.deepEqual(stub.requests.at(-1), {
      method: 'POST',
      url: '/v1/rooms',
      authorization: 'Bearer jwt-1',
      body: { name: 'team', privacy: 'private' },
    });
  });

  it('keeps the problem’s code and detail when creating a room is refused', async () => {
    stub.replies.set(
      '/v1/rooms',
      json(403, {
        title: 'Forbidden',
        status: 403,
        code: 'forbidden',
        detail: 'your role may not create rooms',
      }),
    );
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.createRoom('jwt-1', { name: 'team', privacy: 'public' }),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 403 &&
        error.problemCode === 'forbidden' &&
        describeApiError(error) === 'your role may not create rooms (HTTP 403)',
    );
  });

  it('puts a member with the role in the body, escaping the user id in the path', async () => {
    stub.replies.set(
      '/v1/rooms/abcDEF123456/members/bob%2F1',
      json(201, { userId: 'bob/1', role: 'member' }),
    );
    const api = createApiClient({ baseUrl, fetch });

    await api.putMember('jwt-1', 'abcDEF123456', 'bob/1', 'member');

    assert.deepEqual(stub.requests.at(-1), {
      method: 'PUT',
      url: '/v1/rooms/abcDEF123456/members/bob%2F1',
      authorization: 'Bearer jwt-1',
      body: { role: 'member' },
    });
  });

  it('reads a room’s history newest first with the bearer JWT and the page size', async () => {
    const message = {
      id: 'msgABC123456',
      content: 'hi',
      sendTime: '2026-01-05T14:00:01.123456789Z',
      sender: { userId: 'ann-1', attributes: { displayName: 'Ann' } },
      attributes: {},
    };
    stub.replies.set('/v1/rooms/abcDEF123456/messages?limit=50', json(200, { messages: [message] }));
    const api = createApiClient({ baseUrl, fetch });

    const page = await api.listMessages('jwt-1', 'abcDEF123456', 50);

    assert.deepEqual(page, { messages: [message], nextToken: undefined });
    assert.equal(stub.requests.at(-1)?.authorization, 'Bearer jwt-1');
  });

  it('turns a 403 banned problem into an ApiError that carries the ban', async () => {
    stub.replies.set(
      '/v1/rooms/abcDEF123456/messages?limit=50',
      json(403, {
        title: 'Forbidden',
        status: 403,
        code: 'banned',
        detail: 'you are banned from this room until 2026-01-05T15:00:00.000Z',
        scope: 'room',
        until: '2026-01-05T15:00:00.000Z',
        reason: 'spam',
      }),
    );
    const api = createApiClient({ baseUrl, fetch });

    await assert.rejects(
      api.listMessages('jwt-1', 'abcDEF123456', 50),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 403 &&
        error.problemCode === 'banned' &&
        error.ban?.scope === 'room' &&
        error.ban.until === '2026-01-05T15:00:00.000Z' &&
        error.ban.reason === 'spam',
    );
  });

  it('times a user out with the duration and reason in the body, and returns the timeout', async () => {
    const set = {
      userId: 'bob/1',
      reason: 'calm',
      until: '2026-01-05T14:10:00.000Z',
      by: 'mia',
      since: '2026-01-05T14:00:00.000Z',
    };
    stub.replies.set('/v1/rooms/abcDEF123456/timeouts/bob%2F1', json(201, set));
    const api = createApiClient({ baseUrl, fetch });

    const answer = await api.restrict('jwt-1', 'timeout', 'abcDEF123456', 'bob/1', {
      durationMinutes: 10,
      reason: 'calm',
    });

    assert.deepEqual(answer, set);
    assert.deepEqual(stub.requests.at(-1), {
      method: 'PUT',
      url: '/v1/rooms/abcDEF123456/timeouts/bob%2F1',
      authorization: 'Bearer jwt-1',
      body: { durationMinutes: 10, reason: 'calm' },
    });
  });

  it('lifts a ban with DELETE and accepts the empty 204', async () => {
    stub.replies.set('/v1/rooms/abcDEF123456/bans/bob', (response) => {
      response.writeHead(204).end();
    });
    const api = createApiClient({ baseUrl, fetch });

    await api.lift('jwt-1', 'ban', 'abcDEF123456', 'bob');

    assert.deepEqual(stub.requests.at(-1), {
      method: 'DELETE',
      url: '/v1/rooms/abcDEF123456/bans/bob',
      authorization: 'Bearer jwt-1',
      body: undefined,
    });
  });

  it('lists the bans in force, saying when there are more', async () => {
    const ban = { userId: 'bob', by: 'mia', since: '2026-01-05T14:00:00.000Z' };
    stub.replies.set('/v1/rooms/abcDEF123456/bans', json(200, { bans: [ban], nextToken: 'n' }));
    const api = createApiClient({ baseUrl, fetch });

    const page = await api.listRestrictions('jwt-1', 'ban', 'abcDEF123456');

    assert.deepEqual(page, {
      restrictions: [{ userId: 'bob', reason: undefined, until: undefined, by: 'mia', since: ban.since }],
      more: true,
    });
  });

  it('deletes a message through the service with the reason in the body', async () => {
    stub.replies.set('/v1/rooms/abcDEF123456/messages/msgABC123456', (response) => {
      response.writeHead(204).end();
    });
    const api = createApiClient({ baseUrl, fetch });

    await api.deleteMessage('jwt-1', 'abcDEF123456', 'msgABC123456', 'off topic');

    assert.deepEqual(stub.requests.at(-1), {
      method: 'DELETE',
      url: '/v1/rooms/abcDEF123456/messages/msgABC123456',
      authorization: 'Bearer jwt-1',
      body: { reason: 'off topic' },
    });
  });

  it('patches the room’s modes and returns the room with them', async () => {
    const modes = { slowModeSeconds: 10, membersOnlySend: false, holdForReview: true };
    stub.replies.set('/v1/rooms/abcDEF123456', json(200, { ...ROOM_JSON, modes }));
    const api = createApiClient({ baseUrl, fetch });

    const room = await api.setModes('jwt-1', 'abcDEF123456', { slowModeSeconds: 10, holdForReview: true });

    assert.deepEqual(room.modes, modes);
    assert.deepEqual(stub.requests.at(-1), {
      method: 'PATCH',
      url: '/v1/rooms/abcDEF123456',
      authorization: 'Bearer jwt-1',
      body: { modes: { slowModeSeconds: 10, holdForReview: true } },
    });
  });

  it('pins a text or a message with PUT, and unpins with DELETE', async () => {
    const pinned = { text: 'Be kind', by: 'mia', at: '2026-01-05T14:00:00.000Z' };
    const modes = { slowModeSeconds: 0, membersOnlySend: false, holdForReview: false };
    stub.replies.set('/v1/rooms/abcDEF123456/pin', (response) => {
      if (stub.requests.at(-1)?.method === 'DELETE') response.writeHead(204).end();
      else json(200, { ...ROOM_JSON, modes, pinned })(response);
    });
    const api = createApiClient({ baseUrl, fetch });

    const room = await api.pin('jwt-1', 'abcDEF123456', { messageId: 'msgABC123456' });
    assert.deepEqual(room.pinned, pinned);
    assert.deepEqual(stub.requests.at(-1)?.body, { messageId: 'msgABC123456' });
    assert.equal(stub.requests.at(-1)?.method, 'PUT');
    await api.unpin('jwt-1', 'abcDEF123456');
    assert.equal(stub.requests.at(-1)?.method, 'DELETE');
  });

  it('pages the held queue and decides on a held message', async () => {
    const held = {
      id: 'AbCdEfGhIjKlMnOp',
      content: 'see example.com',
      sender: { userId: 'bob', attributes: { displayName: 'Bob' } },
      heldAt: '2026-01-05T14:00:00.000Z',
      reason: 'link',
    };
    stub.replies.set('/v1/rooms/abcDEF123456/held?maxResults=20&nextToken=n1', json(200, { held: [held] }));
    stub.replies.set('/v1/rooms/abcDEF123456/held/AbCdEfGhIjKlMnOp/reject', json(200, {}));
    const api = createApiClient({ baseUrl, fetch });

    const page = await api.listHeld('jwt-1', 'abcDEF123456', 'n1');
    assert.deepEqual(page, { held: [held], nextToken: undefined });
    await api.rejectHeld('jwt-1', 'abcDEF123456', held.id, 'spam');
    assert.deepEqual(stub.requests.at(-1), {
      method: 'POST',
      url: '/v1/rooms/abcDEF123456/held/AbCdEfGhIjKlMnOp/reject',
      authorization: 'Bearer jwt-1',
      body: { reason: 'spam' },
    });
  });

  it('reads the moderation log with its page size', async () => {
    const entry = { time: '2026-01-05T14:00:00.000Z', action: 'unpin', by: 'mia' };
    stub.replies.set('/v1/rooms/abcDEF123456/moderation-log?maxResults=25', json(200, { entries: [entry] }));
    const api = createApiClient({ baseUrl, fetch });

    assert.deepEqual(await api.readModerationLog('jwt-1', 'abcDEF123456'), {
      entries: [entry],
      nextToken: undefined,
    });
  });

  it('signs in once for every call of the same identity: rooms and tokens share the fresh JWT', async () => {
    stub.replies.set('/v1/rooms?memberId=me', (response) => {
      const fresh = stub.requests.at(-1)?.authorization === 'Bearer jwt-fresh';
      json(fresh ? 200 : 401, fresh ? { rooms: [] } : { title: 'Unauthorized', status: 401 })(response);
    });
    stub.replies.set('/v1/dev/login', json(200, { idToken: 'jwt-fresh' }));
    const api = createApiClient({ baseUrl, fetch });
    let signIns = 0;
    const identity = createIdentity(() => {
      signIns++;
      return api.devLogin({ userId: 'ann-1', displayName: 'Ann', roles: ['admin'] });
    }, 'jwt-expired');

    await identity.authorized((idToken) => api.listRooms(idToken, { mine: true }));
    await identity.authorized((idToken) => api.listRooms(idToken, { mine: true }));

    assert.equal(signIns, 1);
    assert.equal(stub.requests.at(-1)?.authorization, 'Bearer jwt-fresh');
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

describe('parseChatTokenGrant during a timeout', () => {
  it('keeps sendBlockedUntil, and ignores one that is not a time', () => {
    const base = {
      token: 't',
      tokenExpirationTime: 'x',
      sessionExpirationTime: 'y',
      userId: 'u',
      capabilities: [],
    };

    assert.equal(
      parseChatTokenGrant({ ...base, sendBlockedUntil: '2026-01-05T14:10:00.000Z' }).sendBlockedUntil,
      '2026-01-05T14:10:00.000Z',
    );
    assert.equal(parseChatTokenGrant({ ...base, sendBlockedUntil: 'soon' }).sendBlockedUntil, undefined);
    assert.equal(parseChatTokenGrant(base).sendBlockedUntil, undefined);
  });
});

describe('parseBanProblem', () => {
  it('reads scope, until and reason of a banned problem', () => {
    assert.deepEqual(parseBanProblem({ code: 'banned', scope: 'app' }), {
      scope: 'app',
      until: undefined,
      reason: undefined,
    });
    assert.deepEqual(parseBanProblem({ code: 'banned', until: 'never', reason: '' }), {
      scope: 'room',
      until: undefined,
      reason: undefined,
    });
  });

  it('is undefined for any other problem', () => {
    assert.equal(parseBanProblem({ code: 'not_a_member' }), undefined);
    assert.equal(parseBanProblem('banned'), undefined);
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
