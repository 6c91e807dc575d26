import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  CreateChatTokenCommand,
  DeleteMessageCommand,
  DeleteRoomCommand,
  DisconnectUserCommand,
  SendEventCommand,
  UpdateRoomCommand,
} from '@aws-sdk/client-ivschat';
import { DeleteMessageRequest, DisconnectUserRequest, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { ManualClock } from '../../../services/local-ivschat/start.js';
import { chatRoom, createRoom, join, next, refusal, startHarness, type Harness } from './helpers.js';

const MODERATOR = ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'] as const;

function attribute(
  attributes: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  return attributes?.[key];
}

/** Opens a raw WebSocket with a token as its subprotocol; resolves 'open' or the refusal's status. */
function rawConnect(
  url: string,
  token: string,
): Promise<{ opened: true; socket: WebSocket } | { opened: false; status: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, token);
    socket.once('open', () => {
      resolve({ opened: true, socket });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ opened: false, status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', () => undefined);
  });
}

describe('messaging (amazon-ivs-chat-messaging against the emulator)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness.close();
  });

  it('delivers a message to every client in the room, the sender included', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann', attributes: { displayName: 'Ann' } });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      const received = next(bob, 'message');
      const sent = await ann.sendMessage(new SendMessageRequest('hello', { color: 'red' }));
      const message = await received;
      assert.equal(message.content, 'hello');
      assert.equal(message.id, sent.id);
      assert.equal(message.sender.userId, 'ann');
      assert.deepEqual(message.sender.attributes, { displayName: 'Ann' });
      assert.deepEqual(message.attributes, { color: 'red' });
      assert.match(message.id, /^[a-zA-Z0-9]{12}$/);
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('refuses SEND_MESSAGE without the capability with ERROR 403', async () => {
    const roomArn = await createRoom(harness);
    const viewer = await join(harness, roomArn, { userId: 'viewer', capabilities: [] });
    try {
      const error = await refusal(viewer.sendMessage(new SendMessageRequest('hi')));
      assert.equal(error.errorCode, 403);
    } finally {
      viewer.disconnect();
    }
  });

  it('counts maximumMessageLength in code points and refuses longer content with ERROR 400', async () => {
    const roomArn = await createRoom(harness, { maximumMessageLength: 3 });
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      // Three emoji are six UTF-16 units and twelve bytes, but three code points: allowed.
      const allowed = await ann.sendMessage(new SendMessageRequest('😀😀😀'));
      assert.equal(allowed.content, '😀😀😀');
      const error = await refusal(ann.sendMessage(new SendMessageRequest('abcd')));
      assert.equal(error.errorCode, 400);
    } finally {
      ann.disconnect();
    }
  });

  it('refuses a DELETE_MESSAGE without the capability with ERROR 403', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const error = await refusal(ann.deleteMessage(new DeleteMessageRequest('abcdefABCDEF')));
      assert.equal(error.errorCode, 403);
    } finally {
      ann.disconnect();
    }
  });

  it('deletes a message over the socket with an event of its own Id that every client receives', async () => {
    const roomArn = await createRoom(harness);
    const mod = await join(harness, roomArn, { userId: 'mod', capabilities: [...MODERATOR] });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      const message = await bob.sendMessage(new SendMessageRequest('spam'));
      const seenByBob = next(bob, 'messageDelete');
      const event = await mod.deleteMessage(new DeleteMessageRequest(message.id, 'off topic'));
      const bobEvent = await seenByBob;
      assert.equal(event.messageId, message.id);
      assert.equal(event.reason, 'off topic');
      assert.notEqual(event.id, message.id);
      assert.equal(bobEvent.id, event.id);
      assert.equal(attribute(bobEvent.attributes, 'MessageId'), message.id);
    } finally {
      mod.disconnect();
      bob.disconnect();
    }
  });

  it('disconnects every connection of a user over the socket, after the event reaches everyone', async () => {
    const roomArn = await createRoom(harness);
    const mod = await join(harness, roomArn, { userId: 'mod', capabilities: [...MODERATOR] });
    const troll1 = await join(harness, roomArn, { userId: 'troll' });
    const troll2 = await join(harness, roomArn, { userId: 'troll' });
    try {
      const gone1 = next(troll1, 'disconnect');
      const gone2 = next(troll2, 'disconnect');
      const event = await mod.disconnectUser(new DisconnectUserRequest('troll', 'spamming'));
      assert.equal(event.userId, 'troll');
      assert.equal(event.reason, 'spamming');
      assert.equal(await gone1, 'serverDisconnect');
      assert.equal(await gone2, 'serverDisconnect');
      assert.equal(mod.state, 'connected');
    } finally {
      mod.disconnect();
      troll1.disconnect();
      troll2.disconnect();
    }
  });

  it('delivers SendEvent from the control plane as a generic event with RequestId ""', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const received = next(ann, 'event');
      const sent = await harness.client.send(
        new SendEventCommand({
          roomIdentifier: roomArn,
          eventName: 'app:poll',
          attributes: { question: 'tea?' },
        }),
      );
      const event = await received;
      assert.equal(event.eventName, 'app:poll');
      assert.equal(event.id, sent.id);
      assert.equal(event.requestId, '');
      assert.deepEqual(event.attributes, { question: 'tea?' });
    } finally {
      ann.disconnect();
    }
  });

  it('turns DeleteMessage from the control plane into an aws:DELETE_MESSAGE event with both id keys', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const message = await ann.sendMessage(new SendMessageRequest('oops'));
      const received = next(ann, 'messageDelete');
      const result = await harness.client.send(
        new DeleteMessageCommand({ roomIdentifier: roomArn, id: message.id, reason: 'typo' }),
      );
      const event = await received;
      assert.equal(event.messageId, message.id);
      assert.equal(attribute(event.attributes, 'MessageId'), message.id);
      assert.equal(attribute(event.attributes, 'MessageID'), message.id);
      assert.equal(event.requestId, '');
      assert.equal(event.id, result.id);
      assert.notEqual(event.id, message.id);
    } finally {
      ann.disconnect();
    }
  });

  it("turns DisconnectUser from the control plane into an event, then closes that user's connections", async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      const seenByAnn = next(ann, 'userDisconnect');
      const bobGone = next(bob, 'disconnect');
      await harness.client.send(
        new DisconnectUserCommand({ roomIdentifier: roomArn, userId: 'bob', reason: 'bye' }),
      );
      const event = await seenByAnn;
      assert.equal(event.userId, 'bob');
      assert.equal(event.reason, 'bye');
      assert.equal(event.requestId, '');
      assert.equal(await bobGone, 'serverDisconnect');
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('applies UpdateRoom to live connections', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      await ann.sendMessage(new SendMessageRequest('twelve chars'));
      await harness.client.send(new UpdateRoomCommand({ identifier: roomArn, maximumMessageLength: 5 }));
      const error = await refusal(ann.sendMessage(new SendMessageRequest('twelve chars')));
      assert.equal(error.errorCode, 400);
    } finally {
      ann.disconnect();
    }
  });

  it('disconnects the clients of a deleted room', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    const gone = next(ann, 'disconnect');
    await harness.client.send(new DeleteRoomCommand({ identifier: roomArn }));
    assert.equal(await gone, 'serverDisconnect');
  });

  it('echoes the token as the subprotocol and refuses a reused token at the upgrade', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann' }),
    );
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    const first = await rawConnect(harness.emulator.wsUrl, token);
    assert.ok(first.opened);
    assert.equal(first.socket.protocol, token);
    first.socket.close();
    const second = await rawConnect(harness.emulator.wsUrl, token);
    assert.deepEqual(second, { opened: false, status: 401 });
  });

  it('refuses an unknown token at the upgrade', async () => {
    const result = await rawConnect(harness.emulator.wsUrl, 'not-a-token');
    assert.deepEqual(result, { opened: false, status: 401 });
  });

  it('answers a malformed frame with an ERROR 400 that has an Id', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann' }),
    );
    const connection = await rawConnect(harness.emulator.wsUrl, token);
    assert.ok(connection.opened);
    const reply = new Promise<unknown>((resolve) => {
      connection.socket.once('message', (data: Buffer) => {
        resolve(JSON.parse(data.toString('utf8')));
      });
    });
    connection.socket.send('{"Action":"SEND_MESSAGE"');
    const frame = await reply;
    connection.socket.close();
    assert.ok(typeof frame === 'object' && frame !== null);
    assert.equal(Reflect.get(frame, 'Type'), 'ERROR');
    assert.equal(Reflect.get(frame, 'ErrorCode'), 400);
    assert.match(String(Reflect.get(frame, 'Id')), /^[a-zA-Z0-9]{12}$/);
  });
});

describe('messaging with time under test control', () => {
  let harness: Harness;
  const clock = new ManualClock();
  before(async () => {
    harness = await startHarness({ clock, sweepIntervalMs: 20 });
  });
  after(async () => {
    await harness.close();
  });

  it("refuses messages over the room's rate, counted across all its clients, with ERROR 429", async () => {
    const roomArn = await createRoom(harness, { maximumMessageRatePerSecond: 2 });
    const ann = await join(harness, roomArn, { userId: 'ann' });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      await ann.sendMessage(new SendMessageRequest('one'));
      await bob.sendMessage(new SendMessageRequest('two'));
      const error = await refusal(ann.sendMessage(new SendMessageRequest('three')));
      assert.equal(error.errorCode, 429);
      clock.advance(1001);
      const later = await bob.sendMessage(new SendMessageRequest('four'));
      assert.equal(later.content, 'four');
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('refuses a token that was not used within its hour', async () => {
    const roomArn = await createRoom(harness);
    const { token = '' } = await harness.client.send(
      new CreateChatTokenCommand({ roomIdentifier: roomArn, userId: 'ann', sessionDurationInMinutes: 180 }),
    );
    clock.advance(60 * 60_000 + 1);
    const result = await rawConnect(harness.emulator.wsUrl, token);
    assert.deepEqual(result, { opened: false, status: 401 });
  });

  it('ends an expired session with ERROR 401 and the SDK reconnects with a fresh token', async () => {
    const roomArn = await createRoom(harness);
    const { room: ann, tokenCalls } = chatRoom(harness, roomArn, {
      userId: 'ann',
      sessionDurationInMinutes: 1,
      passTokenExpiration: false,
    });
    const connected = next(ann, 'connect');
    ann.connect();
    await connected;
    try {
      assert.equal(tokenCalls(), 1);
      const reconnecting = next(ann, 'connecting');
      clock.advance(61_000);
      await reconnecting;
      await next(ann, 'connect');
      assert.equal(tokenCalls(), 2);
      const message = await ann.sendMessage(new SendMessageRequest('still here'));
      assert.equal(message.content, 'still here');
    } finally {
      ann.disconnect();
    }
  });

  it('ends an expired session at its next request, refusing that request with ERROR 401', async () => {
    const slowSweep = await startHarness({ clock, sweepIntervalMs: 3_600_000 });
    try {
      const roomArn = await createRoom(slowSweep);
      const { room: ann, tokenCalls } = chatRoom(slowSweep, roomArn, {
        userId: 'ann',
        sessionDurationInMinutes: 1,
        passTokenExpiration: false,
      });
      const connected = next(ann, 'connect');
      ann.connect();
      await connected;
      try {
        clock.advance(61_000);
        const reconnected = next(ann, 'connect');
        const error = await refusal(ann.sendMessage(new SendMessageRequest('too late')));
        assert.equal(error.errorCode, 401);
        await reconnected;
        assert.equal(tokenCalls(), 2);
      } finally {
        ann.disconnect();
      }
    } finally {
      await slowSweep.close();
    }
  });
});
