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
  let roomArn: string;
  let roomId: string;

  before(async () => {
    assert.ok(existsSync(join(PROJECT_ROOT, CHAT_HISTORY_BUNDLE)), 'run `npm run build` first');
    table = await startTable();
    const history = localHistory({ tableName: table.local.tableName, endpoint: table.local.endpoint });
    harness = await startHarness({
      functions: { ...history.functions, reflect: { module: fixtureFunction('reflect.mjs') } },
      logSubscriptions: history.logSubscriptions,
    });
    roomArn = await createRoom(harness, {
      messageReviewHandler: { uri: lambdaArn(harness, 'reflect'), fallbackResult: 'DENY' },
    });
    roomId = parseRoomArn(roomArn)?.id ?? '';
    await ensureChatLogging(harness.client, roomArn);
  });
  after(async () => {
    await harness.close();
    await table.close();
  });

  const history = async (limit = 50) => (await listMessages(table.table, roomId, { limit })).messages;

  it('attaches the logging configuration once, however often it is ensured', async () => {
    const first = await ensureChatLogging(harness.client, roomArn);
    const again = await ensureChatLogging(harness.client, roomArn);

    const room = await harness.client.send(new GetRoomCommand({ identifier: roomArn }));
    assert.equal(first, again);
    assert.deepEqual(room.loggingConfigurationIdentifiers, [first]);
  });

  it('keeps messages sent with the messaging SDK, under the ids clients saw live, newest first', async () => {
    const ann = await joinRoom(harness, roomArn, { userId: 'ann', attributes: { displayName: 'Ann' } });
    const sent = [];
    try {
      for (const text of ['hello', 'what a darn good stream', 'bye'])
        sent.push(await ann.sendMessage(new SendMessageRequest(text, { lang: 'en' })));
    } finally {
      ann.disconnect();
    }

    await harness.emulator.flushLogSubscriptions();

    const messages = await history();
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
    const messages = await history();

    const masked = messages.find((message) => message.content.includes('good stream'));
    assert.equal(masked?.content, 'what a **** good stream');
  });

  it('drops a message a moderator deletes with DeleteMessage', async () => {
    const ann = await joinRoom(harness, roomArn, { userId: 'ann' });
    let id: string;
    try {
      id = (await ann.sendMessage(new SendMessageRequest('regrettable'))).id;
    } finally {
      ann.disconnect();
    }
    await harness.emulator.flushLogSubscriptions();
    assert.ok((await history()).some((message) => message.id === id));

    await harness.client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id, reason: 'spam' }));
    await harness.emulator.flushLogSubscriptions();

    assert.ok(!(await history()).some((message) => message.id === id));
  });

  it('drops a message deleted over the socket by a DELETE_MESSAGE-capable client', async () => {
    const mod = await joinRoom(harness, roomArn, {
      userId: 'mod',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE'],
    });
    try {
      const { id } = await mod.sendMessage(new SendMessageRequest('oops'));
      await harness.emulator.flushLogSubscriptions();
      assert.ok((await history()).some((message) => message.id === id));
      const deleted = next(mod, 'messageDelete');
      await mod.deleteMessage(new DeleteMessageRequest(id, 'typo'));
      await deleted;

      await harness.emulator.flushLogSubscriptions();

      assert.ok(!(await history()).some((message) => message.id === id));
    } finally {
      mod.disconnect();
    }
  });
});
