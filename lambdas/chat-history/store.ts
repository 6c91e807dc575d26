/**
 * The two writes the chat log asks for, on single-item operations only (no transactions: dynalite has
 * none, and two items of a partition cannot be written atomically without them).
 *
 * Why a deleted message never stays visible, whichever order its MESSAGE and DELETE records arrive
 * in, however often each is redelivered, and even when the two are processed concurrently:
 *
 *   DELETE:  D1 put the tombstone  →  D2 delete the message item
 *   MESSAGE: M1 put the message item (if absent)  →  M2 strongly consistent GetItem of the tombstone
 *            →  M3 delete the message item again if the tombstone exists
 *
 * Each step starts only after the previous one of its own sequence was acknowledged. Take the last
 * M1 that actually wrote the item. Either M2 (which follows it) sees the tombstone, and M3 deletes the
 * item; or M2 does not see it, so D1 was not yet acknowledged when M2 read (a strongly consistent read
 * returns every write acknowledged before it), hence D2 starts after D1, after M2, after M1: D2 deletes
 * the item M1 wrote. Either way the item ends deleted. A redelivered MESSAGE goes through M2 even when
 * M1 finds the item already there, because the first delivery may have stopped between M1 and M2.
 *
 * The tombstone lives for the retention counted from the delete (never earlier than the message's own
 * expiry, since a delete follows its message), and a MESSAGE record older than the retention is not
 * written at all: so no record can bring a message back after its tombstone is gone. Between M1 and M3
 * (milliseconds, and only when the DELETE came first) and while the history index still lists a
 * deleted item, the item exists, but the tombstone already does too: readers drop every message that
 * has one (services/token-vending/features/messages/store.ts), so no reader is shown it.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from '../../shared/table/batch.js';
import type { Table } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { messageItem, type HistoryMessage } from '../../shared/table/messages.js';

export type MessageOutcome = 'written' | 'duplicate' | 'deleted-before' | 'room-deleted';

/**
 * Whether the room was deleted (its tombstone, written before anything of it is deleted). The same
 * argument as for a message's tombstone holds for the room's: M2 reads both, so a record racing the
 * room's deletion is deleted by M3 or by the deletion's own pass over the partition.
 */
export async function roomDeleted(table: Table, roomId: string): Promise<boolean> {
  const output = await table.client.send(
    new GetCommand({
      TableName: table.name,
      Key: keys.roomTombstone(roomId),
      ConsistentRead: true,
      ProjectionExpression: 'pk',
    }),
  );
  return output.Item !== undefined;
}

/** M1–M3 above. */
export async function storeMessage(
  table: Table,
  roomId: string,
  message: HistoryMessage,
  ttl: number,
): Promise<MessageOutcome> {
  const item = messageItem({ ...message, roomId, ttl });
  if (!item) throw new TypeError('message send time is not an ISO-8601 UTC time');
  let written = true;
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: item,
        // Redelivery is a no-op: the first write of an id wins, so a record cannot change history.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // By name, not instanceof: the runtime's SDK copy may not be the class this module sees.
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    written = false;
  }
  const messageTombstone = keys.deletedMessage(roomId, message.id);
  const roomTombstone = keys.roomTombstone(roomId);
  // Both tombstones in one strongly consistent read (keys handed back are asked for again).
  const read = await batchGetItems(table, [messageTombstone, roomTombstone], { keysOnly: true });
  const found = new Set([...read.values()].map((item) => String(item.sk)));
  if (found.size > 0) {
    await table.client.send(
      new DeleteCommand({ TableName: table.name, Key: keys.message(roomId, message.id) }),
    );
    return found.has(roomTombstone.sk) ? 'room-deleted' : 'deleted-before';
  }
  return written ? 'written' : 'duplicate';
}

/** D1–D2 above. Both writes are idempotent, so a redelivered DELETE changes nothing. */
export async function deleteMessage(
  table: Table,
  roomId: string,
  messageId: string,
  ttl: number,
): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...keys.deletedMessage(roomId, messageId), ttl },
    }),
  );
  await table.client.send(new DeleteCommand({ TableName: table.name, Key: keys.message(roomId, messageId) }));
}
