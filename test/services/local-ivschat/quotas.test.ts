/**
 * IVS Chat's quotas as the emulator enforces them: per operation TPS (CreateChatToken 200, the room
 * operations 5, the logging-configuration operations 3, the tag operations 10, DeleteMessage,
 * DisconnectUser and SendEvent 100, socket requests included) and the concurrent-connection quota;
 * refusals the real SDKs parse; on by default; EMULATOR_QUOTAS=off lifts them.
 *
 * Exact boundaries run on a ManualClock (the limiter reads the emulator's clock), so a loaded machine
 * cannot move them; the real-clock tests assert only what holds however slow the machine is.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  CreateChatTokenCommand,
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
  CreateLoggingConfigurationCommand,
} from '@aws-sdk/client-ivschat';
import { DeleteMessageRequest, DisconnectUserRequest, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { WebSocket } from 'ws';
import { parseRoomArn } from '../../../shared/ivs/arn.js';
import { createLogger } from '../../../shared/logger.js';
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { ManualClock } from '../../../services/local-ivschat/clock.js';
import {
  DEFAULT_RATES,
  isRatedOperation,
  QuotaConfigError,
  Quotas,
  QUOTAS_OFF,
  quotaOptionsFromEnv,
  type RatedOperation,
} from '../../../services/local-ivschat/quotas.js';
import { PROJECT_ROOT } from '../../../services/local-ivschat/functions.js';
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

describe('Quotas (the limiter, on an injected clock)', () => {
  it('admits 200 CreateChatToken calls in an instant and refuses the 201st', () => {
    const quotas = new Quotas(undefined, new ManualClock(START));
    const taken = Array.from({ length: 201 }, () => quotas.take('CreateChatToken'));
    assert.equal(taken.filter(Boolean).length, 200);
    assert.equal(taken.at(-1), false);
  });

  it('refills at the rate: one call back every 5 ms at 200 TPS, a full second back after a second', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas(undefined, clock);
    for (let i = 0; i < 200; i++) quotas.take('CreateChatToken');
    clock.advance(4);
    assert.equal(quotas.take('CreateChatToken'), false);
    clock.advance(1);
    assert.equal(quotas.take('CreateChatToken'), true);
    assert.equal(quotas.take('CreateChatToken'), false);
    clock.advance(1000);
    const taken = Array.from({ length: 201 }, () => quotas.take('CreateChatToken'));
    assert.equal(taken.filter(Boolean).length, 200);
  });

  it('never refuses 190 calls a second, evenly spaced or all at the start of each second', () => {
    const even = new ManualClock(START);
    const evenQuotas = new Quotas(undefined, even);
    const bunched = new ManualClock(START);
    const bunchedQuotas = new Quotas(undefined, bunched);
    let refused = 0;
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 190; i++) {
        if (!evenQuotas.take('CreateChatToken')) refused++;
        even.advance(1000 / 190);
        if (!bunchedQuotas.take('CreateChatToken')) refused++;
      }
      bunched.advance(1000);
    }
    assert.equal(refused, 0);
  });

  it('refuses a steady 250 calls a second within 4 s, and admits 200 a second after that', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas(undefined, clock);
    const admittedPerSecond: number[] = [];
    let firstRefusalMs: number | undefined;
    for (let second = 0; second < 10; second++) {
      let admitted = 0;
      for (let i = 0; i < 250; i++) {
        if (quotas.take('CreateChatToken')) admitted++;
        else firstRefusalMs ??= clock.now().getTime() - START.getTime();
        clock.advance(4);
      }
      admittedPerSecond.push(admitted);
    }
    // A full bucket (200) drains at 250 - 200 = 50 a second: empty after 4 s.
    assert.ok(
      firstRefusalMs !== undefined && firstRefusalMs <= 4000,
      `first refusal at ${firstRefusalMs} ms`,
    );
    for (const admitted of admittedPerSecond.slice(5)) assert.equal(admitted, 200);
  });

  it('gives every operation its own bucket at the rate AWS lists for it', () => {
    const expected: Record<RatedOperation, number> = {
      CreateChatToken: 200,
      DeleteMessage: 100,
      DisconnectUser: 100,
      SendEvent: 100,
      CreateRoom: 5,
      GetRoom: 5,
      ListRooms: 5,
      UpdateRoom: 5,
      DeleteRoom: 5,
      CreateLoggingConfiguration: 3,
      GetLoggingConfiguration: 3,
      ListLoggingConfigurations: 3,
      UpdateLoggingConfiguration: 3,
      DeleteLoggingConfiguration: 3,
      TagResource: 10,
      UntagResource: 10,
      ListTagsForResource: 10,
    };
    const quotas = new Quotas(undefined, new ManualClock(START));
    const names = Object.keys(DEFAULT_RATES).filter(isRatedOperation);
    for (const name of names) {
      const admitted = Array.from({ length: expected[name] + 5 }, () => quotas.take(name)).filter(Boolean);
      assert.equal(admitted.length, expected[name], name);
    }
    assert.deepEqual(names.sort(), Object.keys(expected).sort());
  });

  it('admits everything when off, and has no connection quota', () => {
    const quotas = new Quotas(QUOTAS_OFF, new ManualClock(START));
    const admitted = Array.from({ length: 1000 }, () => quotas.take('CreateRoom')).filter(Boolean).length;
    assert.equal(admitted, 1000);
    assert.equal(quotas.enabled, false);
    assert.equal(quotas.maxConnections, Number.POSITIVE_INFINITY);
  });

  it('takes overrides and refuses ones it cannot enforce', () => {
    const clock = new ManualClock(START);
    const quotas = new Quotas({ maxConnections: 7, rates: { CreateChatToken: 2 } }, clock);
    assert.equal(quotas.maxConnections, 7);
    assert.deepEqual(
      Array.from({ length: 3 }, () => quotas.take('CreateChatToken')),
      [true, true, false],
    );
    assert.throws(() => new Quotas({ maxConnections: 0 }, clock), QuotaConfigError);
    assert.throws(() => new Quotas({ maxConnections: 1.5 }, clock), QuotaConfigError);
    assert.throws(() => new Quotas({ rates: { CreateRoom: 0 } }, clock), QuotaConfigError);
    // A JavaScript caller (or a cast) can name an operation the types do not know.
    const unknownName: Record<string, number> = { SendMessage: 10 };
    assert.throws(() => new Quotas({ rates: unknownName }, clock), /names no rated operation: SendMessage/);
  });
});

describe('EMULATOR_QUOTAS and EMULATOR_MAX_CONNECTIONS', () => {
  it('is on when unset, empty or "on", and off only for "off"', () => {
    assert.deepEqual(quotaOptionsFromEnv({}), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: '' }), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'on' }), {});
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'off' }), QUOTAS_OFF);
  });

  it('refuses any other value with an error naming the variable', () => {
    for (const value of ['OFF', 'false', '0', 'no', 'disabled', 'of']) {
      assert.throws(
        () => quotaOptionsFromEnv({ EMULATOR_QUOTAS: value }),
        (error: unknown) =>
          error instanceof QuotaConfigError &&
          error.message === `EMULATOR_QUOTAS must be on or off; got "${value}"`,
        value,
      );
    }
  });

  it('raises or lowers the connection quota, and refuses a bad number or one with quotas off', () => {
    assert.deepEqual(quotaOptionsFromEnv({ EMULATOR_MAX_CONNECTIONS: '120000' }), {
      maxConnections: 120_000,
    });
    for (const value of ['0', '-1', '1.5', 'many', '1e6', '1000000000']) {
      assert.throws(
        () => quotaOptionsFromEnv({ EMULATOR_MAX_CONNECTIONS: value }),
        /^QuotaConfigError: EMULATOR_MAX_CONNECTIONS must be a whole number/,
        value,
      );
    }
    assert.throws(
      () => quotaOptionsFromEnv({ EMULATOR_QUOTAS: 'off', EMULATOR_MAX_CONNECTIONS: '10' }),
      /set one or the other/,
    );
  });

  it('stops `npm run emulator` at startup with one line naming a bad EMULATOR_QUOTAS', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/local-ivschat/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, EMULATOR_QUOTAS: 'false', EMULATOR_PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.equal(stderr, 'invalid configuration: EMULATOR_QUOTAS must be on or off; got "false"\n');
  });

  it('starts `npm run emulator` with the quotas off when EMULATOR_QUOTAS=off, and says so', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/local-ivschat/server.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, EMULATOR_QUOTAS: 'off', EMULATOR_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => {
          reject(new Error(`no listening line within 30 s: ${out}`));
        }, 30_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const found = out.split('\n').find((text) => text.includes('emulator listening'));
          if (found) {
            clearTimeout(timer);
            resolve(found);
          }
        });
      });
      const parsed: unknown = JSON.parse(line);
      assert.ok(typeof parsed === 'object' && parsed !== null);
      assert.equal(Reflect.get(parsed, 'quotas'), 'off');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});

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
    const result = await tally(400, () =>
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

  it('lifts every rate quota: a frozen clock still admits far more than a second of each', async () => {
    const rooms = await tally(20, () => harness.client.send(new CreateRoomCommand({})));
    const roomArn = await createRoom(harness);
    const tokens = await tally(300, () =>
      harness.client.send(new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'viewer' })),
    );
    const events = await tally(150, () =>
      harness.client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: 'e' })),
    );
    const configs = await tally(10, () => harness.client.send(new ListLoggingConfigurationsCommand({})));

    assert.deepEqual(
      [rooms.ok, tokens.ok, events.ok, configs.ok],
      [20, 300, 150, 10],
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
