/**
 * Chat history through the real local pieces: the emulator (driven by the unmodified
 * @aws-sdk/client-ivschat and amazon-ivs-chat-messaging), its chat log feeding the built
 * dist/chat-history/index.js in its own runtime, dynalite, and the listMessages the history route
 * calls. Needs `npm run build` (the gate builds first).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteMessageCommand, GetRoomCommand } from '@aws-sdk/client-ivschat';
import { DeleteMessageRequest, SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { parseRoomArn } from '../../shared/ivs/arn.js';
import { PROJECT_ROOT } from '../../services/local-ivschat/functions.js';
import { listMessages } from '../../services/token-vending/features/messages/store.js';
import { CHAT_HISTORY_BUNDLE, ensureChatLogging, localHistory } from '../../scripts/local-history.js';
import {
  createRoom,
  fixtureFunction,
  join as joinRoom,
  lambdaArn,
  next,
  startHarness,
  type Harness,
} from '../services/local-ivschat/helpers.js';
import { startTable, type TableHarness } from '../lambdas/chat-history/helpers.js';

describe('chat history in the local stack', () => {
  let table: TableHarness;
  let harness: Harness;

  before(async () => {
    assert.ok(existsSync(join(PROJECT_ROOT, CHAT_HISTORY_BUNDLE)), 'run `npm run build` first');
    table = await startTable();
    const history = localHistory({
      tableName: table.local.tableName,
      endpoint: table.local.endpoint,
      env: { LOG_LEVEL: 'warn' },
    });
    harness = await startHarness({
      functions: { ...history.functions, reflect: { module: fixtureFunction('reflect.mjs') } },
      logSubscriptions: history.logSubscriptions,
      // These tests are about history, not review timing: on a loaded machine the fixture's worker
      // can miss IVS's 200 ms, and the room's DENY fallback would refuse a message (allows for load).
      reviewDeadlineMs: 10_000,
    });
  });
  after(async () => {
    await harness.close();
    await table.close();
  });

  /** A room of the test's own, logging to the history function: no test sees another's messages. */
  async function newRoom(): Promise<{ roomArn: string; roomId: string }> {
    const roomArn = await createRoom(harness, {
      messageReviewHandler: { uri: lambdaArn(harness, 'reflect'), fallbackResult: 'DENY' },
    });
    await ensureChatLogging(harness.client, roomArn);
    return { roomArn, roomId: parseRoomArn(roomArn)?.id ?? '' };
  }

  const history = async (roomId: string, limit = 50) =>
    (await listMessages(table.table, roomId, { limit })).messages;

  /** Sends `texts` as `userId` with the messaging SDK and waits until the history function has them. */
  async function sendAll(roomArn: string, texts: readonly string[], attributes: Record<string, string> = {}) {
    const sender = await joinRoom(harness, roomArn, { userId: 'ann', attributes });
    const sent = [];
    try {
      for (const text of texts)
        sent.push(await sender.sendMessage(new SendMessageRequest(text, { lang: 'en' })));
    } finally {
      sender.disconnect();
    }
    await harness.emulator.flushLogSubscriptions();
    return sent;
  }

  it('attaches the logging configuration once, however often it is ensured', async () => {
    const { roomArn } = await newRoom();
    const first = await ensureChatLogging(harness.client, roomArn);
    const again = await ensureChatLogging(harness.client, roomArn);

    const room = await harness.client.send(new GetRoomCommand({ identifier: roomArn }));
    assert.equal(first, again);
    assert.deepEqual(room.loggingConfigurationIdentifiers, [first]);
  });

  it('keeps messages sent with the messaging SDK, under the ids clients saw live, newest first', async () => {
    const { roomArn, roomId } = await newRoom();

    const sent = await sendAll(roomArn, ['hello', 'how is the stream', 'bye'], { displayName: 'Ann' });

    const messages = await history(roomId);
    assert.deepEqual(
      messages.map((message) => message.id),
      sent.map((message) => message.id).reverse(),
    );
    assert.equal(messages[0]?.sender.userId, 'ann');
    assert.equal(messages[0].sender.attributes.displayName, 'Ann');
    // IVS send times carry nanoseconds; the SDK's Date keeps the milliseconds.
    assert.equal(new Date(messages[0].sendTime).toISOString(), sent[2]?.sendTime.toISOString());
  });

  it('shows a masked message as it was delivered, never as it was typed', async () => {
    const { roomArn, roomId } = await newRoom();

    await sendAll(roomArn, ['what a darn good stream']);

    const messages = await history(roomId);
    assert.deepEqual(
      messages.map((message) => message.content),
      ['what a **** good stream'],
    );
  });

  it('drops a message a moderator deletes with DeleteMessage', async () => {
    const { roomArn, roomId } = await newRoom();
    const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
    let id: string;
    try {
      id = (await ann.sendMessage(new SendMessageRequest('regrettable'))).id;
    } finally {
      ann.disconnect();
    }
    await harness.emulator.flushLogSubscriptions();
    assert.ok((await history(roomId)).some((message) => message.id === id));

    await harness.client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id, reason: 'spam' }));
    await harness.emulator.flushLogSubscriptions();

    assert.ok(!(await history(roomId)).some((message) => message.id === id));
  });

  it('drops a message deleted over the socket by a DELETE_MESSAGE-capable client', async () => {
    const { roomArn, roomId } = await newRoom();
    const mod = await joinRoom(harness, roomArn, {
      userId: 'mod',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE'],
    });
    try {
      const { id } = await mod.sendMessage(new SendMessageRequest('oops'));
      await harness.emulator.flushLogSubscriptions();
      assert.ok((await history(roomId)).some((message) => message.id === id));
      const deleted = next(mod, 'messageDelete');
      await mod.deleteMessage(new DeleteMessageRequest(id, 'typo'));
      await deleted;

      await harness.emulator.flushLogSubscriptions();

      assert.ok(!(await history(roomId)).some((message) => message.id === id));
    } finally {
      mod.disconnect();
    }
  });
});
