/**
 * IVS Chat's quotas through the real clients: per-operation TPS (CreateChatToken 200, the room
 * operations 5, the logging-configuration operations 3, the tag operations 10, DeleteMessage,
 * DisconnectUser and SendEvent 100, socket requests included) and the concurrent-connection quota,
 * refused in shapes the SDKs parse; EMULATOR_QUOTAS=off lifts them.
 *
 * Exact boundaries run on a ManualClock (the limiter reads the emulator's clock), so a loaded machine
 * cannot move them; the real-clock tests assert only what holds however slow the machine is.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  DeleteMessageCommand,
  DisconnectUserCommand,
  GetRoomCommand,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  ListTagsForResourceCommand,
  SendEventCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
} from '@aws-sdk/client-ivschat';
import { DeleteMessageRequest, DisconnectUserRequest, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { parseRoomArn } from '../../../shared/ivs/arn.js';
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { createLogger } from '../../../shared/logger.js';
import { ManualClock } from '../../../services/local-ivschat/clock.js';
import { QUOTAS_OFF, quotaOptionsFromEnv } from '../../../services/local-ivschat/quotas.js';
import { chatRoom, createRoom, join, next, refusal, startHarness, type Harness } from './helpers.js';

const START = new Date('2026-03-01T12:00:00.000Z');

/** How many of `count` calls of `call` (all at once) succeed, and every error they fail with. */
async function tally(
  count: number,
  call: () => Promise<unknown>,
): Promise<{ ok: number; errors: unknown[] }> {
  const results = await Promise.allSettled(Array.from({ length: count }, call));
  const errors: unknown[] = [];
  for (const result of results) {
    if (result.status === 'rejected') {
      const reason: unknown = result.reason;
      errors.push(reason);
    }
  }
  return { ok: count - errors.length, errors };
}

async function throttling(promise: Promise<unknown>): Promise<ThrottlingException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ThrottlingException) return error;
    throw error;
  }
  assert.fail('expected a ThrottlingException');
}

function roomId(arn: string): string {
  const parsed = parseRoomArn(arn);
  assert.ok(parsed);
  return parsed.id;
}

describe('API rate quotas through @aws-sdk/client-ivschat (no retries)', () => {
  let harness: Harness;
  const clock = new ManualClock(START);
  before(async () => {
    // On by default: no quotas option here but the clock, so the boundaries do not move.
    harness = await startHarness({ clock, quotas: { enabled: true } });
  });
  after(() => harness.close());

  it('admits 200 CreateChatToken calls in a second and refuses the 201st with a ThrottlingException', async () => {
    clock.advance(60_000);
    const roomArn = await createRoom(harness);
    const token = () =>
      harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'viewer' }));
    const burst = await tally(200, token);
    const error = await throttling(token());

    assert.equal(burst.ok, 200);
    assert.equal(error.name, 'ThrottlingException');
    assert.equal(error.$metadata.httpStatusCode, 429);
    assert.equal(error.limit, 200);
    assert.equal(error.resourceType, 'ROOM');
    assert.equal(error.resourceId, roomId(roomArn));
    assert.match(error.message, /200 requests per second/);
    clock.advance(5);
    await token();
  });

  it('admits 5 of each room operation a second, each counted on its own', async () => {
    clock.advance(60_000);
    const created = await tally(5, () => harness.client.send(new CreateRoomCommand({})));
    const createError = await throttling(harness.client.send(new CreateRoomCommand({})));
    const someRoom =
      (await harness.client.send(new ListRoomsCommand({ maxResults: 1 }))).rooms?.[0]?.arn ?? '';
    const got = await tally(5, () => harness.client.send(new GetRoomCommand({ identifier: someRoom })));
    const getError = await throttling(harness.client.send(new GetRoomCommand({ identifier: someRoom })));

    assert.equal(created.ok, 5);
    assert.equal(createError.limit, 5);
    assert.equal(createError.resourceType, 'ROOM');
    assert.equal(createError.resourceId, '');
    assert.equal(got.ok, 5);
    assert.equal(getError.limit, 5);
    assert.equal(getError.resourceId, roomId(someRoom));
  });

  it('admits 3 of each logging-configuration operation and 10 of each tag operation a second', async () => {
    clock.advance(60_000);
    const roomArn = await createRoom(harness);
    const list = () => harness.client.send(new ListLoggingConfigurationsCommand({}));
    const tags = () => harness.client.send(new ListTagsForResourceCommand({ resourceArn: roomArn }));
    const listed = await tally(3, list);
    const listError = await throttling(list());
    const tagged = await tally(10, tags);
    const tagError = await throttling(tags());

    assert.equal(listed.ok, 3);
    assert.equal(listError.limit, 3);
    assert.equal(listError.resourceType, 'LOGGING_CONFIGURATION');
    assert.equal(tagged.ok, 10);
    assert.equal(tagError.limit, 10);
    assert.equal(tagError.resourceId, roomId(roomArn));
  });

  it('counts a request before validating it, as a request rate does', async () => {
    clock.advance(60_000);
    const invalid = await tally(5, () =>
      harness.client.send(new GetRoomCommand({ identifier: 'not-an-arn' })),
    );
    const error = await throttling(harness.client.send(new GetRoomCommand({ identifier: 'not-an-arn' })));

    assert.equal(invalid.ok, 0);
    assert.ok(invalid.errors.every((reason) => !(reason instanceof ThrottlingException)));
    assert.equal(error.resourceId, '');
  });

  it('admits 100 SendEvent, DeleteMessage and DisconnectUser calls a second, each on its own', async () => {
    clock.advance(60_000);
    const roomArn = await createRoom(harness);
    const calls = {
      SendEvent: () =>
        harness.client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: 'burst' })),
      DeleteMessage: () =>
        harness.client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id: 'abcdEFGH1234' })),
      DisconnectUser: () =>
        harness.client.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId: 'nobody' })),
    };
    for (const [name, call] of Object.entries(calls)) {
      const burst = await tally(100, call);
      const error = await throttling(call());
      assert.equal(burst.ok, 100, name);
      assert.equal(error.limit, 100, name);
      assert.equal(error.resourceId, roomId(roomArn), name);
    }
    clock.advance(1000);
    await calls.SendEvent();
  });

  it('shares the DeleteMessage and DisconnectUser budgets between the API and the socket', async () => {
    clock.advance(60_000);
    const roomArn = await createRoom(harness);
    const mod = await join(harness, roomArn, {
      userId: 'mod',
      capabilities: ['DELETE_MESSAGE', 'DISCONNECT_USER'],
    });
    try {
      const api = await tally(60, () =>
        harness.client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id: 'abcdEFGH1234' })),
      );
      const socket = await tally(50, () => mod.deleteMessage(new DeleteMessageRequest('abcdEFGH1234')));
      const afterSocket = await throttling(
        harness.client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id: 'abcdEFGH1234' })),
      );
      const socketDisconnects = await tally(70, () =>
        mod.disconnectUser(new DisconnectUserRequest('nobody')),
      );
      const apiDisconnects = await tally(40, () =>
        harness.client.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId: 'nobody' })),
      );

      assert.equal(api.ok, 60);
      assert.equal(socket.ok, 40);
      const codes = socket.errors.map((error): unknown =>
        typeof error === 'object' && error !== null ? Reflect.get(error, 'errorCode') : undefined,
      );
      assert.deepEqual(
        codes,
        Array.from({ length: 10 }, () => 429),
      );
      assert.equal(afterSocket.limit, 100);
      assert.equal(socketDisconnects.ok, 70);
      assert.equal(apiDisconnects.ok, 30);
      assert.ok(apiDisconnects.errors.every((error) => error instanceof ThrottlingException));
    } finally {
      mod.disconnect();
    }
  });
});

describe('API rate quotas on the real clock', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ quotas: { enabled: true } });
  });
  after(() => harness.close());

  it('throttles a burst of room operations over real sockets', async () => {
    const roomArn = await createRoom(harness);
    // 30 GetRoom at once: to be under 5 a second they would have to take 6 s, far more than any
    // machine takes for them, loaded or not.
    const started = performance.now();
    const result = await tally(30, () => harness.client.send(new GetRoomCommand({ identifier: roomArn })));
    const seconds = (performance.now() - started) / 1000;

    assert.ok(result.errors.length > 0, `none throttled in ${seconds.toFixed(2)} s`);
    assert.ok(result.errors.every((error) => error instanceof ThrottlingException));
    // A full bucket (5) plus what refills while the burst lasts.
    assert.ok(result.ok <= 5 + Math.ceil(5 * seconds), `${result.ok} admitted in ${seconds.toFixed(2)} s`);
  });

  it('never admits more CreateChatToken calls than the bucket and its refill allow', async () => {
    const roomArn = await createRoom(harness);
    const started = performance.now();
    const result = await tally(300, () =>
      harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'viewer' })),
    );
    const seconds = (performance.now() - started) / 1000;

    // However slow the machine, the count is bounded by 200 now plus 200 a second of the burst.
    assert.ok(
      result.ok <= 200 + Math.ceil(200 * seconds),
      `${result.ok} admitted in ${seconds.toFixed(2)} s`,
    );
    assert.ok(result.errors.every((error) => error instanceof ThrottlingException));
  });
});

describe('concurrent-connection quota', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ quotas: { maxConnections: 2 } });
  });
  after(() => harness.close());

  /** Opens a raw socket with the token; resolves it open, or the handshake's refusal status. */
  function connect(token: string): Promise<WebSocket | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(harness.emulator.wsUrl, token);
      ws.once('open', () => {
        resolve(ws);
      });
      ws.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', () => {
        resolve(0);
      });
    });
  }

  it('refuses the connection past the quota at the handshake with 429, and keeps its token unspent', async () => {
    const roomArn = await createRoom(harness);
    const token = async () =>
      (await harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'viewer' })))
        .token ?? '';
    const first = await connect(await token());
    const second = await connect(await token());
    const third = await token();
    const refused = await connect(third);
    assert.ok(first instanceof WebSocket && second instanceof WebSocket);
    const closed = new Promise((resolve) => first.once('close', resolve));
    first.close();
    await closed;
    const retried = await connect(third);

    assert.equal(refused, 429);
    assert.equal(second.readyState, WebSocket.OPEN);
    assert.ok(retried instanceof WebSocket, 'the refused token connects once a connection is free');
    second.close();
    retried.close();
  });

  it('leaves the messaging SDK disconnected with a socket error past the quota', async () => {
    const roomArn = await createRoom(harness);
    const one = await join(harness, roomArn, { userId: 'one' });
    const two = await join(harness, roomArn, { userId: 'two' });
    const { room: three } = chatRoom(harness, roomArn, { userId: 'three' });
    try {
      const disconnected = next(three, 'disconnect');
      three.connect();
      assert.equal(await disconnected, 'socketError');
      assert.equal(three.state, 'disconnected');
    } finally {
      three.disconnect();
      one.disconnect();
      two.disconnect();
    }
  });

  it('is 50,000 by default, as in AWS, and none with the quotas off', async () => {
    const byDefault = await startHarness({ quotas: { enabled: true } });
    const off = await startHarness({ quotas: QUOTAS_OFF });
    try {
      assert.equal(byDefault.emulator.quotas.maxConnections, IVS_LIMITS.concurrentConnections);
      assert.equal(byDefault.emulator.quotas.maxConnections, 50_000);
      assert.equal(off.emulator.quotas.maxConnections, Number.POSITIVE_INFINITY);
    } finally {
      await byDefault.close();
      await off.close();
    }
  });
});

describe('EMULATOR_QUOTAS=off', () => {
  let harness: Harness;
  const clock = new ManualClock(START);
  before(async () => {
    harness = await startHarness({ clock, quotas: quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'off' }) });
  });
  after(() => harness.close());

  it('lifts every rate quota: a frozen clock admits more than a second of each', async () => {
    const rooms = await tally(8, () => harness.client.send(new CreateRoomCommand({})));
    const roomArn = await createRoom(harness);
    const tokens = await tally(210, () =>
      harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'viewer' })),
    );
    const events = await tally(110, () =>
      harness.client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: 'e' })),
    );
    const configs = await tally(5, () => harness.client.send(new ListLoggingConfigurationsCommand({})));

    assert.deepEqual(
      [rooms.ok, tokens.ok, events.ok, configs.ok],
      [8, 210, 110, 5],
      'nothing throttled with the quotas off',
    );
    assert.equal(harness.emulator.quotas.enabled, false);
  });

  it("keeps the room's own message rate and the logging-configuration count, which are not API rates", async () => {
    const create = (i: number) =>
      harness.client.send(
        new CreateLoggingConfigurationCommand({
          name: `c${i}`,
          destinationConfiguration: { cloudWatchLogs: { logGroupName: 'g' } },
        }),
      );
    for (let i = 0; i < IVS_LIMITS.loggingConfigurations.perAccount; i++) await create(i);
    await assert.rejects(create(99), (error: unknown) => {
      assert.ok(error instanceof ServiceQuotaExceededException);
      assert.equal(error.$metadata.httpStatusCode, 402);
      assert.equal(error.limit, 10);
      assert.equal(error.resourceType, 'LOGGING_CONFIGURATION');
      return true;
    });

    const roomArn = await createRoom(harness, { maximumMessageRatePerSecond: 1 });
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      await ann.sendMessage(new SendMessageRequest('one'));
      const error = await refusal(ann.sendMessage(new SendMessageRequest('two')));
      assert.equal(error.errorCode, 429);
    } finally {
      ann.disconnect();
    }
  });
});

describe('throttling in the log', () => {
  it('names the operation and the error, and nothing the caller sent', async () => {
    const lines: string[] = [];
    const harness = await startHarness({
      clock: new ManualClock(START),
      quotas: { rates: { CreateChatToken: 1 } },
      logger: createLogger({ write: (line) => lines.push(line) }),
    });
    try {
      const roomArn = await createRoom(harness);
      const token = () =>
        harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'secret-user' }));
      await token();
      await throttling(token());
    } finally {
      await harness.close();
    }
    const refused = lines.filter((line) => line.includes('control plane refused'));
    assert.equal(refused.length, 1);
    assert.match(
      refused[0] ?? '',
      /"operation":"CreateChatToken","errorName":"ThrottlingException","status":429/,
    );
    assert.ok(lines.every((line) => !line.includes('secret-user')));
  });
});
