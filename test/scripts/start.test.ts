import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ChatRoom, DeleteMessageRequest, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { startLocalStack, type LocalStack } from '../../scripts/start.js';
import { next, refusal } from '../services/local-ivschat/helpers.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../support/review-budget.js';

Object.assign(globalThis, { WebSocket });

const silent = { debug: () => undefined, info: () => undefined, error: () => undefined };

async function postJson(url: string, body: unknown, idToken?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idToken ? { authorization: `Bearer ${idToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const json: unknown = await response.json();
  assert.equal(response.status, 200, JSON.stringify(json));
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json));
  return Object.fromEntries(Object.entries(json));
}

/** A ChatRoom whose tokens come from the token service, after a dev login: what a frontend does. */
async function joinThroughTokenApi(
  stack: LocalStack,
  userId: string,
  roles: string[] = [],
): Promise<ChatRoom> {
  const { idToken } = await postJson(`${stack.tokenServiceUrl}/v1/dev/login`, {
    userId,
    displayName: userId,
    roles,
  });
  assert.equal(typeof idToken, 'string');
  const room = new ChatRoom({
    regionOrUrl: stack.emulator?.wsUrl ?? '',
    maxReconnectAttempts: 1,
    tokenProvider: async () => {
      const token = await postJson(
        `${stack.tokenServiceUrl}/v1/chat-tokens`,
        { roomIdentifier: stack.roomArn },
        String(idToken),
      );
      return {
        token: String(token.token),
        sessionExpirationTime: String(token.sessionExpirationTime),
      };
    },
  });
  room.logger = silent;
  room.logLevel = 'error';
  const connected = next(room, 'connect');
  room.connect();
  await connected;
  return room;
}

describe('npm start (the local stack)', () => {
  let stack: LocalStack;
  before(async () => {
    stack = await startLocalStack({
      // The review's budget allows for load (review-budget.ts): the emulator below waits 5 s.
      env: {
        CHAT_BACKEND: 'local',
        AWS_REGION: 'us-east-1',
        LOG_LEVEL: 'silent',
        REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
      },
      port: 0,
      emulatorPort: 0,
      dynamodbPort: 0,
      // The real bundle answers in a few ms; a generous deadline keeps a loaded machine from flaking.
      reviewDeadlineMs: 5000,
    });
  });
  after(async () => {
    await stack.close();
  });

  it('prints a banner with every URL, the default room and the curl commands', () => {
    assert.ok(stack.emulator);
    assert.ok(stack.roomArn);
    assert.ok(stack.banner.includes(stack.tokenServiceUrl));
    assert.ok(stack.banner.includes(stack.emulator.url));
    assert.ok(stack.banner.includes(stack.emulator.wsUrl));
    assert.ok(stack.banner.includes(stack.roomArn));
    assert.ok(stack.banner.includes('/v1/dev/login'));
    assert.ok(stack.banner.includes('/v1/chat-tokens'));
  });

  it('serves the demo configuration naming the room and the messaging URL', async () => {
    const response = await fetch(`${stack.tokenServiceUrl}/config.json`);
    const config: unknown = await response.json();
    assert.deepEqual(config, {
      apiBaseUrl: '',
      roomArn: stack.roomArn,
      messagingUrl: stack.emulator?.wsUrl,
      maximumMessageLength: 500,
      maximumMessageRatePerSecond: 10,
    });
  });

  it('runs the whole flow: dev login, chat token, connect, review by the real bundle, delivery', async () => {
    const ann = await joinThroughTokenApi(stack, 'ann');
    const bob = await joinThroughTokenApi(stack, 'bob');
    try {
      // Hello first: the stack's first review also pays its runtime's first table calls (a cold start,
      // which IVS counts in its 200 ms too), and on a loaded machine that can pass the budget and fall
      // back; the masked message is the second (allows for load).
      const greeted = next(bob, 'message');
      await ann.sendMessage(new SendMessageRequest('hello'));
      assert.equal((await greeted).content, 'hello');
      const received = next(bob, 'message');
      await ann.sendMessage(new SendMessageRequest('that was fucking great'));
      const message = await received;
      assert.equal(message.content, 'that was ******* great');
      assert.equal(message.sender.userId, 'ann');
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('lets a moderator from the dev login delete, and refuses a plain user the same', async () => {
    const mod = await joinThroughTokenApi(stack, 'mia', ['moderator']);
    const ann = await joinThroughTokenApi(stack, 'ann');
    try {
      const message = await ann.sendMessage(new SendMessageRequest('hello'));
      const refused = await refusal(ann.deleteMessage(new DeleteMessageRequest(message.id)));
      assert.equal(refused.errorCode, 403);
      const seen = next(ann, 'messageDelete');
      await mod.deleteMessage(new DeleteMessageRequest(message.id));
      assert.equal((await seen).messageId, message.id);
    } finally {
      mod.disconnect();
      ann.disconnect();
    }
  });
});

describe('npm start with EMULATOR_DATA_DIR', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reuses the default room it kept instead of creating another', async () => {
    const env = {
      CHAT_BACKEND: 'local',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'silent',
      EMULATOR_DATA_DIR: dir,
    };
    const first = await startLocalStack({ env, port: 0, emulatorPort: 0, dynamodbPort: 0 });
    const firstArn = first.roomArn;
    await first.close();
    const second = await startLocalStack({ env, port: 0, emulatorPort: 0, dynamodbPort: 0 });
    try {
      assert.ok(firstArn);
      assert.equal(second.roomArn, firstArn);
    } finally {
      await second.close();
    }
  });
});
