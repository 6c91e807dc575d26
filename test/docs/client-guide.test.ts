/**
 * The client guide, run as written: `chat-client.mjs` is extracted from docs/client-guide.md, written
 * beside node_modules (so its `amazon-ivs-chat-messaging` import resolves as in an app), and driven
 * in Node against the local stack started in-process on ephemeral ports — the emulator, the token
 * service and the real review Lambda bundle (`npm run build` first).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startLocalStack, type LocalStack } from '../../scripts/start.js';
import { repoRoot } from '../../scripts/sam-template.js';
import { isRecord } from '../../shared/json.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../support/review-budget.js';

// What the snippet's header asks of Node 20 (Node 22 has a global WebSocket).
Object.assign(globalThis, { WebSocket });

const GUIDE = 'docs/client-guide.md';

/** The fenced block that follows `<!-- client-guide: <name> -->` in the client guide. */
function guideBlock(name: string): string {
  const guide = readFileSync(join(repoRoot, GUIDE), 'utf8');
  const marker = `<!-- client-guide: ${name} -->`;
  const start = guide.indexOf(marker);
  assert.ok(start >= 0, `${GUIDE} has ${marker}`);
  const match = /```(?:js|javascript)\n([\s\S]*?)\n```/.exec(guide.slice(start));
  assert.ok(match?.[1], `a js block follows ${marker}`);
  return match[1];
}

interface TokenApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number;
  readonly until: string | undefined;
  readonly reason: string | undefined;
  readonly action: 'sign-in' | 'retry' | 'give-up';
  readonly ticket: string | undefined;
}
interface RoomEvent {
  readonly userId?: string;
  readonly messageId?: string;
  readonly reason?: string;
}
type SendResult = { ok: true; message: { content: string } } | { ok: false; kind: string; text: string };
interface ChatHandlers {
  message: (message: { content: string }) => void;
  connected?: () => void;
  signInNeeded: (error: TokenApiError) => void;
  unavailable: (error: TokenApiError | undefined) => void;
  disconnected?: (reason: string) => void;
  messageDeleted?: (event: RoomEvent) => void;
  userDisconnected?: (event: RoomEvent) => void;
}
interface JoinedChat {
  send(text: string): Promise<SendResult>;
  leave(): void;
}
interface ChatClientModule {
  fetchChatToken(options: {
    apiBaseUrl: string;
    roomArn: string;
    idToken?: string;
    ticket?: string;
  }): Promise<unknown>;
  fetchChatTokenPatiently(options: {
    apiBaseUrl: string;
    roomArn: string;
    getIdToken: () => Promise<string | undefined>;
    maxRetries?: number;
    maxWaitSeconds?: number;
  }): Promise<unknown>;
  joinChat(options: {
    messagingUrl: string;
    apiBaseUrl: string;
    roomArn: string;
    getIdToken: () => Promise<string | undefined>;
    on: ChatHandlers;
    maxRetries?: number;
    logger?: { debug: () => void; info: () => void; error: () => void };
  }): JoinedChat;
}

function isTokenApiError(value: unknown): value is TokenApiError {
  return value instanceof Error && value.name === 'TokenApiError';
}

async function rejection(promise: Promise<unknown>): Promise<TokenApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTokenApiError(error), `a TokenApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('the token request was expected to fail');
}

const cacheDir = join(repoRoot, 'node_modules/.cache');
mkdirSync(cacheDir, { recursive: true });
const workDir = mkdtempSync(join(cacheDir, 'client-guide-'));
let client: ChatClientModule;
let stack: LocalStack;
let apiBaseUrl: string;
let roomArn: string;
let messagingUrl: string;

before(async () => {
  writeFileSync(join(workDir, 'chat-client.mjs'), guideBlock('chat-client.mjs') + '\n');
  const loaded: unknown = await import(pathToFileURL(join(workDir, 'chat-client.mjs')).href);
  assert.ok(
    isRecord(loaded) && typeof loaded.joinChat === 'function' && typeof loaded.fetchChatToken === 'function',
  );
  client = loaded as unknown as ChatClientModule;
  stack = await startLocalStack({
    env: {
      CHAT_BACKEND: 'local',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '6',
      // On a loaded machine the rules and the ban/timeout read can outlast IVS's 200 ms, and the fallback
      // (ALLOW) would then deliver a link the guide says is refused: a budget that allows for load
      // (review-budget.ts), under the emulator's 5 s below.
      REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
      CHAT_POLICY: JSON.stringify({ deniedRoles: ['banned'] }),
    },
    port: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    // The real bundle answers in a few ms; a generous deadline keeps a loaded machine from flaking.
    reviewDeadlineMs: 5000,
  });
  apiBaseUrl = stack.tokenServiceUrl;
  assert.ok(stack.roomArn && stack.emulator);
  roomArn = stack.roomArn;
  messagingUrl = stack.emulator.wsUrl;
});
after(async () => {
  await stack.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function signIn(userId: string, roles: string[] = []): Promise<string> {
  const res = await fetch(`${apiBaseUrl}/v1/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, displayName: userId, roles }),
  });
  const body: unknown = await res.json();
  assert.ok(isRecord(body) && typeof body.idToken === 'string');
  return body.idToken;
}

/** A fake token API answering every request with one canned response. */
async function cannedApi(
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(status, headers).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Calls a moderation or rooms route of the service with `idToken`; resolves to the response. */
async function callApi(idToken: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${apiBaseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${idToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The stack room's 12-character id (the last part of its ARN). */
function roomId(): string {
  const id = roomArn.split('/').pop();
  assert.ok(id !== undefined && id.length === 12);
  return id;
}

/** Polls `done` every 20 ms for up to 10 s (a loaded machine may be slow; nothing here waits longer). */
async function eventually(done: () => boolean, what: string): Promise<void> {
  for (let wait = 0; wait < 500 && !done(); wait += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(done(), what);
}

interface Joined {
  outcome: string;
  chat: JoinedChat;
  error?: TokenApiError;
  messages: string[];
  /** How many times the snippet's `connected` callback has run so far. */
  connects: () => number;
  /** Every reason the snippet's `disconnected` callback has been given so far. */
  disconnects: string[];
}

/** Joins through the snippet and waits for the first outcome: connected, sign-in, unavailable. */
function joinAs(
  idToken: string | undefined,
  extra: Partial<ChatHandlers> = {},
  options: { api?: string; maxRetries?: number } = {},
): Promise<Joined> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    const disconnects: string[] = [];
    let connects = 0;
    const settle = (outcome: string, error?: TokenApiError): void => {
      setImmediate(() => {
        resolve({
          outcome,
          chat,
          messages,
          connects: () => connects,
          disconnects,
          ...(error ? { error } : {}),
        });
      });
    };
    const chat = client.joinChat({
      apiBaseUrl: options.api ?? apiBaseUrl,
      roomArn,
      messagingUrl,
      getIdToken: () => Promise.resolve(idToken),
      maxRetries: options.maxRetries ?? 0,
      // The SDK logs every refused request at error level; the assertions below check them instead.
      logger: { debug: () => undefined, info: () => undefined, error: () => undefined },
      on: {
        message: (message) => messages.push(message.content),
        connected: () => {
          connects += 1;
          settle('connected');
        },
        signInNeeded: (error) => {
          settle('sign-in', error);
        },
        unavailable: (error) => {
          settle('unavailable', error);
        },
        disconnected: (reason) => {
          disconnects.push(reason);
          settle(`disconnected:${reason}`);
        },
        ...extra,
      },
    });
  });
}

describe('client guide: fetchChatToken', () => {
  it('returns the token, its times, the user id and the capabilities', async () => {
    const grant = await client.fetchChatToken({ apiBaseUrl, roomArn, idToken: await signIn('tia') });

    assert.ok(isRecord(grant));
    assert.equal(typeof grant.token, 'string');
    assert.equal(grant.userId, 'tia');
    assert.deepEqual(grant.capabilities, ['SEND_MESSAGE']);
    assert.ok(Date.parse(String(grant.tokenExpirationTime)) > Date.now());
  });

  it('turns a 401 into "sign in again"', async () => {
    const error = await rejection(client.fetchChatToken({ apiBaseUrl, roomArn, idToken: 'not.a.jwt' }));

    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_token');
    assert.equal(error.action, 'sign-in');
  });

  it('turns a 403 (a denied role) into "give up"', async () => {
    const error = await rejection(
      client.fetchChatToken({ apiBaseUrl, roomArn, idToken: await signIn('bo', ['banned']) }),
    );

    assert.equal(error.status, 403);
    assert.equal(error.code, 'forbidden');
    assert.equal(error.action, 'give-up');
  });

  it('turns a 403 banned into "give up", with the ban\'s end and reason', async () => {
    const admin = await signIn('mia', ['admin']);
    const banned = await callApi(admin, 'PUT', `/v1/rooms/${roomId()}/bans/ben`, {
      reason: 'spam',
      durationMinutes: 60,
    });
    assert.equal(banned.status, 201);

    const error = await rejection(
      client.fetchChatToken({ apiBaseUrl, roomArn, idToken: await signIn('ben') }),
    );

    assert.equal(error.status, 403);
    assert.equal(error.code, 'banned');
    assert.equal(error.reason, 'spam');
    assert.ok(error.until !== undefined && Date.parse(error.until) > Date.now(), 'the ban ends later');
    assert.equal(error.action, 'give-up');
  });

  it('turns a 403 not_a_member (a private room) into "give up"', async () => {
    const admin = await signIn('mia', ['admin']);
    const created = await callApi(admin, 'POST', '/v1/rooms', { name: 'staff', privacy: 'private' });
    assert.equal(created.status, 201);
    const room: unknown = await created.json();
    assert.ok(isRecord(room) && typeof room.arn === 'string');

    const error = await rejection(
      client.fetchChatToken({ apiBaseUrl, roomArn: room.arn, idToken: await signIn('pia') }),
    );

    assert.equal(error.status, 403);
    assert.equal(error.code, 'not_a_member');
    assert.equal(error.action, 'give-up');
  });

  it('turns a 404 (no such room) into "give up"', async () => {
    const missing = roomArn.replace(/room\/.*/, 'room/AAAAAAAAAAAA');
    const error = await rejection(
      client.fetchChatToken({ apiBaseUrl, roomArn: missing, idToken: await signIn('tia') }),
    );

    assert.equal(error.status, 404);
    assert.equal(error.code, 'room_not_found');
    assert.equal(error.action, 'give-up');
  });

  it('turns the per-user 429 into "retry after Retry-After"', async () => {
    const idToken = await signIn('greedy');
    let error: TokenApiError | undefined;
    for (let attempt = 0; attempt < 10 && !error; attempt += 1) {
      error = await client.fetchChatToken({ apiBaseUrl, roomArn, idToken }).then(
        () => undefined,
        (refusal: unknown) => (isTokenApiError(refusal) ? refusal : undefined),
      );
    }

    assert.ok(error, 'refused within RATE_LIMIT_MAX + 4 requests');
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.action, 'retry');
    assert.ok(error.retryAfterSeconds >= 1 && error.retryAfterSeconds <= 60);
  });

  it("turns a 503 into a retry after the service's Retry-After", async () => {
    const api = await cannedApi(
      503,
      { 'content-type': 'application/problem+json', 'retry-after': '7' },
      JSON.stringify({ status: 503, code: 'upstream_unavailable', detail: 'IVS Chat is unavailable' }),
    );
    try {
      const error = await rejection(client.fetchChatToken({ apiBaseUrl: api.url, roomArn, idToken: 'x' }));

      assert.equal(error.status, 503);
      assert.equal(error.code, 'upstream_unavailable');
      assert.equal(error.retryAfterSeconds, 7);
      assert.equal(error.action, 'retry');
    } finally {
      api.server.close();
    }
  });

  it("retries API Gateway's own throttle, which has no Retry-After and no problem body", async () => {
    const api = await cannedApi(
      429,
      { 'content-type': 'application/json' },
      '{"message":"Too Many Requests"}',
    );
    try {
      const error = await rejection(client.fetchChatToken({ apiBaseUrl: api.url, roomArn, idToken: 'x' }));

      assert.equal(error.status, 429);
      assert.equal(error.message, 'Too Many Requests');
      assert.ok(error.retryAfterSeconds > 0);
      assert.equal(error.action, 'retry');
    } finally {
      api.server.close();
    }
  });
});

describe('client guide: joinChat', () => {
  it('connects, delivers a message, and reports each SendMessage refusal as the guide says', async () => {
    const ann = await joinAs(await signIn('ann'));
    const vic = await joinAs(await signIn('vic', ['viewer']));
    try {
      assert.equal(ann.outcome, 'connected');
      assert.equal(vic.outcome, 'connected');

      const sent = await ann.chat.send('hello room');
      assert.ok(sent.ok);
      for (let wait = 0; wait < 100 && !vic.messages.includes('hello room'); wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(vic.messages.includes('hello room'), 'the viewer received it');

      const tooLong = await ann.chat.send('x'.repeat(501));
      assert.deepEqual(tooLong.ok ? undefined : tooLong.kind, 'invalid');

      const viewer = await vic.chat.send('can I talk?');
      assert.deepEqual(viewer.ok ? undefined : viewer.kind, 'not-allowed');

      // The default review policy denies links; the reason reaches the sender (406).
      const link = await ann.chat.send('buy now at evil.com');
      assert.ok(!link.ok);
      assert.equal(link.kind, 'rejected');
      assert.match(link.text, /^Message not sent: .+/);

      // The room accepts 10 messages a second across everyone: a burst of 25 goes over.
      const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => ann.chat.send(`burst ${i}`)));
      assert.ok(burst.some((result) => !result.ok && result.kind === 'slow-down'));
    } finally {
      ann.chat.leave();
      vic.chat.leave();
    }
  });

  it('asks for a sign-in when the token API answers 401 (a fetchTokenError disconnect)', async () => {
    const result = await joinAs('expired.or.garbage');

    assert.equal(result.outcome, 'sign-in');
    assert.equal(result.error?.status, 401);
    result.chat.leave();
  });

  it('reports chat as unavailable when the token API answers 403 (a fetchTokenError disconnect)', async () => {
    const result = await joinAs(await signIn('bea', ['banned']));

    assert.equal(result.outcome, 'unavailable');
    assert.equal(result.error?.status, 403);
    result.chat.leave();
  });

  it('tells the others in the room when a moderator bans someone (userDisconnect)', async () => {
    const admin = await signIn('mia', ['admin']);
    const removed: RoomEvent[] = [];
    const amy = await joinAs(await signIn('amy'), { userDisconnected: (event) => removed.push(event) });
    const kim = await joinAs(await signIn('kim'));
    try {
      assert.equal(amy.outcome, 'connected');
      assert.equal(kim.outcome, 'connected');

      const banned = await callApi(admin, 'PUT', `/v1/rooms/${roomId()}/bans/kim`, { reason: 'spam' });
      assert.equal(banned.status, 201);

      await eventually(
        () => removed.some((event) => event.userId === 'kim'),
        'amy heard that kim was removed',
      );
      // The room reads a generic reason; the moderator's ("spam") is kim's alone, in the 403.
      assert.equal(removed.find((event) => event.userId === 'kim')?.reason, 'Removed by a moderator');
      await eventually(() => kim.disconnects.includes('serverDisconnect'), "kim's own connection closed");
    } finally {
      amy.chat.leave();
      kim.chat.leave();
    }
  });

  it('after a lifted timeout, a refused send gets a new token and the next send goes through', async () => {
    const admin = await signIn('mia', ['admin']);
    const timedOut = await callApi(admin, 'PUT', `/v1/rooms/${roomId()}/timeouts/tom`, {
      durationMinutes: 10,
    });
    assert.equal(timedOut.status, 201);
    // Prepare: tom connects during the timeout, so his token lacks SEND_MESSAGE; then it is lifted early.
    const tom = await joinAs(await signIn('tom'));
    try {
      assert.equal(tom.outcome, 'connected');
      const lifted = await callApi(admin, 'DELETE', `/v1/rooms/${roomId()}/timeouts/tom`);
      assert.equal(lifted.status, 204);

      // Act: the old connection still may not send (403); the snippet says so and renews the token.
      const refused = await tom.chat.send('am I back?');
      await eventually(() => tom.connects() === 2, 'tom reconnected with a new token');
      const sent = await tom.chat.send('back again');

      // Assess
      assert.deepEqual(refused.ok ? undefined : refused.kind, 'timed-out');
      assert.ok(sent.ok, 'the new token may send');
    } finally {
      tom.chat.leave();
    }
  });
});

/** A request the queueing front below saw: when, and with which Admission-Ticket. */
interface Seen {
  readonly at: number;
  readonly ticket: string | undefined;
}

/**
 * A token API in front of the real one that queues like the service at its rate: a request without
 * a ticket is answered 503 `upstream_busy`, `Retry-After: 1` and a ticket; one with the ticket is
 * passed on to the real service (`serve`), or queued again (`always-busy`).
 */
async function queueingFront(
  mode: 'serve' | 'always-busy',
): Promise<{ url: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const ticket = req.headers['admission-ticket'];
    seen.push({ at: performance.now(), ticket: typeof ticket === 'string' ? ticket : undefined });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (ticket !== 'place-1' || mode === 'always-busy') {
        res
          .writeHead(503, {
            'content-type': 'application/problem+json',
            'retry-after': '1',
            'admission-ticket': 'place-1',
          })
          .end(JSON.stringify({ status: 503, code: 'upstream_busy', detail: 'retry in 1 s' }));
        return;
      }
      void fetch(`${apiBaseUrl}${req.url ?? ''}`, {
        method: 'POST',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => server.close(),
  };
}

describe('client guide: Retry-After and the Admission-Ticket', () => {
  it('fetchChatToken carries the ticket of a 503 upstream_busy, and sends one back', async () => {
    const front = await queueingFront('serve');
    try {
      const error = await rejection(client.fetchChatToken({ apiBaseUrl: front.url, roomArn, idToken: 'x' }));
      const grant = await client.fetchChatToken({
        apiBaseUrl: front.url,
        roomArn,
        idToken: await signIn('tix'),
        ticket: 'place-1',
      });

      assert.deepEqual(
        [error.status, error.code, error.retryAfterSeconds, error.ticket],
        [503, 'upstream_busy', 1, 'place-1'],
      );
      assert.equal(error.action, 'retry');
      assert.ok(isRecord(grant) && grant.userId === 'tix');
    } finally {
      front.close();
    }
  });

  it('joinChat, queued by the service: two requests, the second with the ticket after exactly Retry-After', async () => {
    const front = await queueingFront('serve');
    try {
      // maxRetries 3 (the default): a client that retried at once, or as the SDK does, would show it.
      const joined = await joinAs(await signIn('que'), {}, { api: front.url, maxRetries: 3 });
      joined.chat.leave();

      assert.equal(joined.outcome, 'connected');
      assert.deepEqual(
        front.seen.map((request) => request.ticket),
        [undefined, 'place-1'],
      );
      const waited = (front.seen[1]?.at ?? 0) - (front.seen[0]?.at ?? 0);
      // Retry-After is 1 s; the upper bound allows for a loaded machine (the SDK, a fetch, a sign-in).
      assert.ok(waited >= 1000 && waited < 2500, `retried after ${Math.round(waited)} ms`);
    } finally {
      front.close();
    }
  });

  it("joinChat never lets the SDK's immediate retries reach the API: 1 + maxRetries requests, a second apart", async () => {
    const front = await queueingFront('always-busy');
    try {
      const joined = await joinAs(await signIn('wai'), {}, { api: front.url, maxRetries: 2 });
      joined.chat.leave();
      // The SDK's three immediate calls would have come by now; give them a moment more.
      await new Promise((resolve) => setTimeout(resolve, 200));

      assert.equal(joined.outcome, 'unavailable');
      assert.equal(joined.error?.code, 'upstream_busy');
      assert.deepEqual(
        front.seen.map((request) => request.ticket),
        [undefined, 'place-1', 'place-1'],
      );
      for (let i = 1; i < front.seen.length; i++) {
        const gap = (front.seen[i]?.at ?? 0) - (front.seen[i - 1]?.at ?? 0);
        assert.ok(gap >= 1000, `request ${i} came ${Math.round(gap)} ms after the one before`);
      }
    } finally {
      front.close();
    }
  });

  it('fetchChatTokenPatiently waits Retry-After with jitter (x1 to x2) after other retryable answers', async () => {
    const api = await cannedApi(
      503,
      { 'content-type': 'application/problem+json', 'retry-after': '1' },
      JSON.stringify({ status: 503, code: 'upstream_unavailable', detail: 'IVS Chat is unavailable' }),
    );
    const started = performance.now();
    try {
      const error = await rejection(
        client.fetchChatTokenPatiently({
          apiBaseUrl: api.url,
          roomArn,
          getIdToken: () => Promise.resolve('x'),
          maxRetries: 1,
        }),
      );
      const waited = performance.now() - started;

      assert.equal(error.code, 'upstream_unavailable');
      // One wait of 1 to 2 s (plus two local requests, slow on a loaded machine).
      assert.ok(waited >= 1000 && waited < 3500, `waited ${Math.round(waited)} ms`);
    } finally {
      api.server.close();
    }
  });
});
