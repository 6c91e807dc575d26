import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetRoomCommand, UpdateRoomCommand } from '@aws-sdk/client-ivschat';
import { SendMessageRequest, type ChatMessage } from 'amazon-ivs-chat-messaging';
import type { FunctionMap } from '../../../services/local-ivschat/start.js';
import {
  createRoom,
  fixtureFunction,
  join,
  lambdaArn,
  next,
  refusal,
  startHarness,
  type Harness,
} from './helpers.js';

const FUNCTIONS: FunctionMap = {
  reflect: { module: fixtureFunction('reflect.mjs'), env: { FIXTURE_VALUE: 'from-the-map' } },
  deny: { module: fixtureFunction('deny.mjs') },
  never: { module: fixtureFunction('never.mjs') },
  spin: { module: fixtureFunction('spin.mjs'), timeoutSeconds: 1 },
  throws: { module: fixtureFunction('throws.mjs') },
  garbage: { module: fixtureFunction('garbage.mjs') },
  commonjs: { module: fixtureFunction('commonjs/index.js') },
};

function attribute(message: ChatMessage, key: string): string | undefined {
  const attributes: Readonly<Record<string, string>> | undefined = message.attributes;
  return attributes?.[key];
}

async function reviewedRoom(
  harness: Harness,
  fn: string,
  fallbackResult: 'ALLOW' | 'DENY' = 'ALLOW',
): Promise<string> {
  return createRoom(harness, { messageReviewHandler: { uri: lambdaArn(harness, fn), fallbackResult } });
}

describe('message review (handlers that answer)', () => {
  let harness: Harness;
  before(async () => {
    // A generous deadline so these tests never depend on a loaded machine's scheduling; the 200 ms
    // default is exercised below with handlers that never answer.
    harness = await startHarness({ functions: FUNCTIONS, reviewDeadlineMs: 5000 });
  });
  after(async () => {
    await harness.close();
  });

  it('invokes the handler with the exact IVS event, a Lambda context and the function env', async () => {
    const roomArn = await reviewedRoom(harness, 'reflect');
    const ann = await join(harness, roomArn, { userId: 'ann', attributes: { displayName: 'Ann' } });
    try {
      const message = await ann.sendMessage(new SendMessageRequest('hello', { k: 'v' }));
      assert.equal(attribute(message, 'seenMessageId'), message.id);
      assert.equal(attribute(message, 'seenRoomArn'), roomArn);
      assert.equal(attribute(message, 'seenUserId'), 'ann');
      assert.equal(attribute(message, 'seenSenderAttributes'), '{"displayName":"Ann"}');
      assert.equal(attribute(message, 'seenIp'), '127.0.0.1');
      assert.equal(attribute(message, 'seenKeys'), 'Attributes,Content,MessageId,RoomArn,Sender');
      assert.equal(attribute(message, 'k'), 'v');
      assert.equal(attribute(message, 'functionName'), 'reflect');
      assert.equal(attribute(message, 'invokedFunctionArn'), lambdaArn(harness, 'reflect'));
      assert.equal(attribute(message, 'hasRequestId'), 'true');
      assert.equal(attribute(message, 'remainingPositive'), 'true');
      assert.equal(attribute(message, 'fixtureEnv'), 'from-the-map');
    } finally {
      ann.disconnect();
    }
  });

  it('delivers the content the handler rewrote to every client', async () => {
    const roomArn = await reviewedRoom(harness, 'reflect');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      const received = next(bob, 'message');
      await ann.sendMessage(new SendMessageRequest('darn it'));
      assert.equal((await received).content, '**** it');
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('loads a CommonJS handler module, as esbuild bundles Lambda entries', async () => {
    const roomArn = await reviewedRoom(harness, 'commonjs');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const message = await ann.sendMessage(new SendMessageRequest('hi'));
      assert.equal(message.content, '[cjs] hi');
    } finally {
      ann.disconnect();
    }
  });

  it('answers DENY with ERROR 406 carrying the reason, to the sender only', async () => {
    const roomArn = await reviewedRoom(harness, 'deny');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    const bob = await join(harness, roomArn, { userId: 'bob' });
    try {
      const bobReceives = next(bob, 'message');
      const error = await refusal(ann.sendMessage(new SendMessageRequest('http://spam')));
      assert.equal(error.errorCode, 406);
      assert.equal(error.errorMessage, 'no links please');
      // Detach the handler: the first message bob then sees is the next one, not the denied one.
      await harness.client.send(
        new UpdateRoomCommand({ identifier: roomArn, messageReviewHandler: { uri: '' } }),
      );
      await ann.sendMessage(new SendMessageRequest('after'));
      assert.equal((await bobReceives).content, 'after');
    } finally {
      ann.disconnect();
      bob.disconnect();
    }
  });

  it('attaches a handler to a live room with UpdateRoom', async () => {
    const roomArn = await createRoom(harness);
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await ann.sendMessage(new SendMessageRequest('darn'))).content, 'darn');
      await harness.client.send(
        new UpdateRoomCommand({
          identifier: roomArn,
          messageReviewHandler: { uri: lambdaArn(harness, 'reflect') },
        }),
      );
      assert.equal((await ann.sendMessage(new SendMessageRequest('darn'))).content, '****');
    } finally {
      ann.disconnect();
    }
  });

  it('applies fallback DENY to a handler that throws', async () => {
    const roomArn = await reviewedRoom(harness, 'throws', 'DENY');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const error = await refusal(ann.sendMessage(new SendMessageRequest('hi')));
      assert.equal(error.errorCode, 406);
    } finally {
      ann.disconnect();
    }
  });

  it('applies fallback ALLOW to a handler that throws, delivering the message unchanged', async () => {
    const roomArn = await reviewedRoom(harness, 'throws', 'ALLOW');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const message = await ann.sendMessage(new SendMessageRequest('hi', { k: 'v' }));
      assert.equal(message.content, 'hi');
      assert.equal(attribute(message, 'k'), 'v');
    } finally {
      ann.disconnect();
    }
  });

  it('applies fallback ALLOW to an invalid answer', async () => {
    const roomArn = await reviewedRoom(harness, 'garbage', 'ALLOW');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await ann.sendMessage(new SendMessageRequest('hi'))).content, 'hi');
    } finally {
      ann.disconnect();
    }
  });

  it('applies fallback DENY to an invalid answer', async () => {
    const roomArn = await reviewedRoom(harness, 'garbage', 'DENY');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await refusal(ann.sendMessage(new SendMessageRequest('hi')))).errorCode, 406);
    } finally {
      ann.disconnect();
    }
  });

  it('applies the fallback when the ARN maps to no local function', async () => {
    const roomArn = await reviewedRoom(harness, 'not-deployed', 'DENY');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await refusal(ann.sendMessage(new SendMessageRequest('hi')))).errorCode, 406);
    } finally {
      ann.disconnect();
    }
  });
});

describe('message review (the 200 ms limit)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness({ functions: FUNCTIONS });
  });
  after(async () => {
    await harness.close();
  });

  it('applies fallback ALLOW when the handler never answers', async () => {
    const roomArn = await reviewedRoom(harness, 'never', 'ALLOW');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await ann.sendMessage(new SendMessageRequest('hi'))).content, 'hi');
    } finally {
      ann.disconnect();
    }
  });

  it('applies fallback DENY when the handler never answers', async () => {
    const roomArn = await reviewedRoom(harness, 'never', 'DENY');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      assert.equal((await refusal(ann.sendMessage(new SendMessageRequest('hi')))).errorCode, 406);
    } finally {
      ann.disconnect();
    }
  });

  it('applies the fallback to a handler that spins the CPU, and keeps serving meanwhile', async () => {
    const roomArn = await reviewedRoom(harness, 'spin', 'ALLOW');
    const ann = await join(harness, roomArn, { userId: 'ann' });
    try {
      const message = await ann.sendMessage(new SendMessageRequest('hi'));
      assert.equal(message.content, 'hi');
      const room = await harness.client.send(new GetRoomCommand({ identifier: roomArn }));
      assert.equal(room.arn, roomArn);
    } finally {
      ann.disconnect();
    }
  });
});
