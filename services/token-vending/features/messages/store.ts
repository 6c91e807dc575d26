/**
 * A room's history page, newest first, from the `gsi1` index (`HISTORY#<roomId>`, sorted by send
 * time): what `GET /v1/rooms/{roomId}/messages` returns. Items are written by the chat-history
 * Lambda (shared/table/messages.ts holds their layout). Expired items (`ttl` past) are skipped here,
 * since DynamoDB deletes them only lazily and dynalite not at all; a message with a tombstone is
 * skipped too. The index is eventually consistent: a message is readable shortly after it is logged.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems } from '../../../../shared/table/batch.js';
import type { Table } from '../../../../shared/table/client.js';
import { keys } from '../../../../shared/table/keys.js';
import {
  isExpired,
  parseHistorySortKey,
  parseMessageItem,
  type HistoryMessage,
} from '../../../../shared/table/messages.js';
import { TABLE_KEYS } from '../../../../shared/table/schema.js';
import { isRecord } from '../../../../shared/json.js';

const DELETED_PREFIX = keys.deletedMessage('', '').sk;

export const HISTORY_LIMIT = { min: 1, max: 100, default: 50 } as const;

export interface ListMessagesOptions {
  /** 1–100. */
  readonly limit: number;
  /** The `next` of the previous page: resume after it (older messages). */
  readonly cursor?: string | undefined;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: number;
}

export interface MessagePage {
  readonly messages: readonly HistoryMessage[];
  /**
   * The gsi1 sort key of the last message returned, when older ones may follow: the caller wraps it
   * in its opaque `nextToken` and passes it back as `cursor`. Absent on the last page.
   */
  readonly next?: string;
}

/** A cursor that is not a history sort key (a tampered or foreign token): the caller answers 400. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly code = 'invalid_cursor';
}

/** Whether `text` can be passed back as `cursor` (the token service checks tokens before reading). */
export function isHistoryCursor(text: unknown): text is string {
  return parseHistorySortKey(text) !== undefined;
}

/** Queries a page can take, however many expired items it meets, so a read stays bounded. */
const MAX_QUERIES = 5;

/** The ids among `messageIds` that have a tombstone (strongly consistent reads of their keys only). */
async function tombstones(table: Table, roomId: string, messageIds: readonly string[]): Promise<Set<string>> {
  const items = await batchGetItems(
    table,
    messageIds.map((id) => keys.deletedMessage(roomId, id)),
    { keysOnly: true },
  );
  const deleted = new Set<string>();
  for (const item of items.values()) {
    if (typeof item.sk === 'string' && item.sk.startsWith(DELETED_PREFIX))
      deleted.add(item.sk.slice(DELETED_PREFIX.length));
  }
  return deleted;
}

export async function listMessages(
  table: Table,
  roomId: string,
  options: ListMessagesOptions,
): Promise<MessagePage> {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < HISTORY_LIMIT.min || limit > HISTORY_LIMIT.max) {
    throw new RangeError(`limit must be an integer from ${HISTORY_LIMIT.min} to ${HISTORY_LIMIT.max}`);
  }
  const now = options.now ?? Date.now();
  const historyKey = keys.history(roomId);
  let startKey: Record<string, unknown> | undefined;
  if (options.cursor !== undefined) {
    const cursor = parseHistorySortKey(options.cursor);
    if (!cursor) throw new InvalidCursorError('the cursor is not a history position');
    startKey = { ...keys.message(roomId, cursor.messageId), gsi1pk: historyKey, gsi1sk: cursor.sortKey };
  }

  // One more than asked for tells whether an older page exists, without an extra empty page.
  const found: { message: HistoryMessage; sortKey: string }[] = [];
  for (let query = 0; query < MAX_QUERIES && found.length <= limit; query++) {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: TABLE_KEYS.gsi1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1.partition },
        ExpressionAttributeValues: { ':pk': historyKey },
        ScanIndexForward: false,
        Limit: limit + 1 - found.length,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      if (found.length > limit) break;
      if (!isRecord(item) || isExpired(item, now)) continue;
      const message = parseMessageItem(item);
      if (message && typeof item.gsi1sk === 'string') found.push({ message, sortKey: item.gsi1sk });
    }
    startKey = page.LastEvaluatedKey;
    if (startKey === undefined) break;
  }

  // The index is eventually consistent: a message deleted a moment ago (or whose DELETE arrived
  // before it, lambdas/chat-history/store.ts) may still be listed. Its tombstone, read strongly
  // consistently from the base table, is not: so a deleted message is never returned.
  const deleted = await tombstones(
    table,
    roomId,
    found.map((entry) => entry.message.id),
  );
  const visible = found.filter((entry) => !deleted.has(entry.message.id));
  if (visible.length > limit) {
    const page = visible.slice(0, limit);
    return { messages: page.map((entry) => entry.message), next: page[page.length - 1]?.sortKey ?? '' };
  }
  // Everything read is returned; an older page exists if reading stopped before the index's end.
  const lastRead = found.at(-1);
  const resumeAt =
    found.length > limit && lastRead
      ? lastRead.sortKey
      : startKey === undefined
        ? undefined
        : parseHistorySortKey(startKey.gsi1sk)?.sortKey;
  return {
    messages: visible.map((entry) => entry.message),
    ...(resumeAt === undefined ? {} : { next: resumeAt }),
  };
}
