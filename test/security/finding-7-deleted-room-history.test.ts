/**
 * Issue 19, finding 7: deleting a room leaves no messages. The history function is fed
 * asynchronously (CloudWatch Logs batches and retries), so records of a room's last messages can
 * reach it after `DELETE /v1/rooms/{id}` answered 204; what it writes from them must not stay in the
 * table ("Deleted means gone"). The in-flight record is simulated by invoking the history function's
 * Lambda entry with a subscription event for the deleted room after the 204.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { newResourceId } from '../../shared/ivs/arn.js';
import { keys } from '../../shared/table/keys.js';
import {
  WAIT,
  at,
  chatLogMessageRecord,
  chatLogSubscriptionEvent,
  describeAnswer,
  openChatOrFail,
  sleep,
  startSecurityStack,
  type SecurityStack,
  type User,
} from './support/stack.js';

let stack: SecurityStack;
let owner: User;

before(async () => {
  stack = await startSecurityStack();
  owner = stack.user('owner-ann', ['admin']);
});
after(async () => {
  await stack.close();
});

/** The sort keys of the message items in a room's partition (strongly consistent). */
async function messageItems(roomId: string): Promise<string[]> {
  const prefix = keys.message(roomId, '').sk;
  const output = await stack.table.client.send(
    new QueryCommand({
      TableName: stack.table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.roomPartition(roomId), ':prefix': prefix },
      ConsistentRead: true,
    }),
  );
  return (output.Items ?? []).map((item) => String(item.sk));
}

/** Reads the room's history until it holds `count` messages (the feed is asynchronous), bounded. */
async function historyHolds(roomId: string, count: number): Promise<number> {
  const deadline = Date.now() + WAIT.historyMs;
  for (;;) {
    const res = await owner.call('GET', `/v1/rooms/${roomId}/messages`);
    const messages = at(res.body, 'messages');
    const held = Array.isArray(messages) ? messages.length : 0;
    if (held >= count || Date.now() > deadline) return held;
    await sleep(200);
  }
}

describe('DELETE /v1/rooms/{roomId}', () => {
  it('leaves no message items, even from chat log records the history function receives after the 204', async () => {
    const room = await stack.createRoom(owner, 'private', 'to-be-deleted');
    const member = stack.user('member-bob');
    await owner.call('PUT', `/v1/rooms/${room.id}/members/${member.userId}`, { role: 'member' });
    const token = await member.chatToken(room.arn);
    const chat = await openChatOrFail(stack.messagingUrl, String(at(token.body, 'token')));
    for (const text of ['private one', 'private two', 'private three']) {
      const answer = await chat.sendMessage(text);
      assert.equal(answer?.Type, 'MESSAGE', `sent before the delete: ${JSON.stringify(answer)}`);
    }
    assert.equal(await historyHolds(room.id, 3), 3, 'the history function stored the messages');

    const deleted = await owner.call('DELETE', `/v1/rooms/${room.id}`);
    assert.equal(deleted.status, 204, describeAnswer(deleted));
    // A record of the room's last message, delivered to the history function after the delete.
    await stack.invokeHistoryFunction(
      chatLogSubscriptionEvent(room.id, [
        chatLogMessageRecord(newResourceId(), member.userId, 'private and late'),
      ]),
    );
    // A clean-up pass may run right after the write: give it a bounded moment before looking.
    let left = await messageItems(room.id);
    for (const deadline = Date.now() + 5000; left.length > 0 && Date.now() < deadline;) {
      await sleep(250);
      left = await messageItems(room.id);
    }

    assert.deepEqual(left, [], "message items left in the deleted room's partition");
    chat.close();
  });
});
