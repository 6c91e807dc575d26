/**
 * Room items: what the service keeps about each room beside IVS (privacy, owner, and a copy of the
 * IVS fields it set, so reads need no IVS call: room operations are capped at 5 TPS per account).
 * Public rooms carry gsi1 keys (the public listing, newest first); private rooms do not.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FALLBACK_RESULTS, type FallbackResult } from '../../../../shared/ivs/limits.js';
import { PUBLIC_ROOMS, TOMBSTONES, keys, timeOrderKey, ttlSeconds } from '../../../../shared/table/keys.js';
import { isRecord } from '../../../../shared/json.js';
import { deletePartition } from '../../../../shared/table/batch.js';
import { mapTableError } from '../../platform/upstream-errors.js';
import { PRIVACIES, type Privacy } from '../../../../shared/access/model.js';
import { numberField, queryIndexNewestFirst, run, stringField, type Table } from '../../platform/table.js';

export { PRIVACIES, type Privacy } from '../../../../shared/access/model.js';

/** Live-stream modes, kept as top-level attributes so changing one never overwrites another. */
export interface RoomModes {
  readonly slowModeSeconds: number;
  readonly membersOnlySend: boolean;
  readonly holdForReview: boolean;
}
export const MODES_OFF: RoomModes = { slowModeSeconds: 0, membersOnlySend: false, holdForReview: false };

export interface PinnedMessage {
  readonly text: string;
  readonly messageId?: string;
  /** Who pinned it. */
  readonly by: string;
  readonly at: string;
}

export interface ReviewHandler {
  readonly uri: string;
  readonly fallbackResult: FallbackResult;
}

export interface RoomRecord {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly privacy: Privacy;
  readonly createTime: string;
  readonly updateTime: string;
  readonly maximumMessageLength: number;
  readonly maximumMessageRatePerSecond: number;
  readonly messageReviewHandler: ReviewHandler | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Unset for rooms that were not made through the API. */
  readonly ownerId: string | undefined;
  readonly modes: RoomModes;
  readonly pinned: PinnedMessage | undefined;
}

/** Position of a room in time-ordered listings (gsi1 sort key, also the list cursor). */
export function roomOrder(room: Pick<RoomRecord, 'createTime' | 'id'>): string {
  return timeOrderKey(room.createTime, room.id);
}

function toItem(room: RoomRecord): Record<string, unknown> {
  return {
    ...keys.room(room.id),
    ...(room.privacy === 'public' ? { gsi1pk: PUBLIC_ROOMS, gsi1sk: roomOrder(room) } : {}),
    kind: 'room',
    id: room.id,
    arn: room.arn,
    name: room.name,
    privacy: room.privacy,
    createTime: room.createTime,
    updateTime: room.updateTime,
    maximumMessageLength: room.maximumMessageLength,
    maximumMessageRatePerSecond: room.maximumMessageRatePerSecond,
    ...(room.messageReviewHandler ? { messageReviewHandler: { ...room.messageReviewHandler } } : {}),
    tags: { ...room.tags },
    ...(room.ownerId === undefined ? {} : { ownerId: room.ownerId }),
    ...room.modes,
    ...(room.pinned === undefined ? {} : { pinned: { ...room.pinned } }),
  };
}

function parsePinned(value: unknown): PinnedMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { text, messageId, by, at } = value;
  if (typeof text !== 'string' || typeof by !== 'string' || typeof at !== 'string') return undefined;
  return { text, by, at, ...(typeof messageId === 'string' ? { messageId } : {}) };
}

/** A room's modes from its item; absent attributes (older rooms) read as off. */
export function parseModes(item: Record<string, unknown>): RoomModes {
  const slow = numberField(item, 'slowModeSeconds');
  return {
    slowModeSeconds: slow !== undefined && Number.isInteger(slow) && slow > 0 ? slow : 0,
    membersOnlySend: item.membersOnlySend === true,
    holdForReview: item.holdForReview === true,
  };
}

/** Parses a stored item; an item that is not a well-formed room reads as absent. */
export function parseRoom(item: Record<string, unknown> | undefined): RoomRecord | undefined {
  if (!item) return undefined;
  const id = stringField(item, 'id');
  const arn = stringField(item, 'arn');
  const name = stringField(item, 'name');
  const privacy = PRIVACIES.find((value) => value === item.privacy);
  const createTime = stringField(item, 'createTime');
  const updateTime = stringField(item, 'updateTime');
  const maximumMessageLength = numberField(item, 'maximumMessageLength');
  const maximumMessageRatePerSecond = numberField(item, 'maximumMessageRatePerSecond');
  if (
    id === undefined ||
    arn === undefined ||
    name === undefined ||
    privacy === undefined ||
    createTime === undefined ||
    updateTime === undefined ||
    maximumMessageLength === undefined ||
    maximumMessageRatePerSecond === undefined
  ) {
    return undefined;
  }
  const handler = item.messageReviewHandler;
  let messageReviewHandler: ReviewHandler | undefined;
  if (isRecord(handler) && typeof handler.uri === 'string') {
    const fallbackResult = FALLBACK_RESULTS.find((value) => value === handler.fallbackResult) ?? 'ALLOW';
    messageReviewHandler = { uri: handler.uri, fallbackResult };
  }
  const tags: Record<string, string> = {};
  if (isRecord(item.tags)) {
    for (const [key, value] of Object.entries(item.tags)) if (typeof value === 'string') tags[key] = value;
  }
  return {
    id,
    arn,
    name,
    privacy,
    createTime,
    updateTime,
    maximumMessageLength,
    maximumMessageRatePerSecond,
    messageReviewHandler,
    tags,
    ownerId: stringField(item, 'ownerId'),
    modes: parseModes(item),
    pinned: parsePinned(item.pinned),
  };
}

export async function getRoom(table: Table, roomId: string): Promise<RoomRecord | undefined> {
  const output = await run(() =>
    table.client.send(
      new GetCommand({ TableName: table.name, Key: keys.room(roomId), ConsistentRead: true }),
    ),
  );
  return parseRoom(output.Item);
}

/** Records a room unless one with that id is already recorded; answers whether it wrote. */
export async function putRoomIfAbsent(table: Table, room: RoomRecord): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: toItem(room),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw mapTableError(error);
  }
}

export type RoomChanges = Partial<
  Pick<RoomRecord, 'name' | 'maximumMessageLength' | 'maximumMessageRatePerSecond' | 'updateTime'> &
    RoomModes & { pinned: PinnedMessage | null }
>;

/** Applies changes to a recorded room; answers the room as stored afterwards, or undefined if gone. */
export async function updateRoom(
  table: Table,
  roomId: string,
  changes: RoomChanges,
): Promise<RoomRecord | undefined> {
  const entries = Object.entries(changes);
  if (entries.length === 0) return getRoom(table, roomId);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  entries.forEach(([field, value], index) => {
    names[`#f${index}`] = field;
    // null removes the attribute (an unpinned message).
    if (value === null) {
      removes.push(`#f${index}`);
      return;
    }
    values[`:v${index}`] = value;
    sets.push(`#f${index} = :v${index}`);
  });
  const update = [
    ...(sets.length > 0 ? [`SET ${sets.join(', ')}`] : []),
    ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
  ].join(' ');
  try {
    const output = await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.room(roomId),
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ...(sets.length > 0 ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return parseRoom(output.Attributes);
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
    throw mapTableError(error);
  }
}

/** How long a deleted room's tombstone is kept: past any chat-log record still in flight for it. */
export const TOMBSTONE_DAYS = 8;

/**
 * Marks a room deleted, before anything is deleted: from then on the history function drops records
 * for it, and the sweep deletes whatever a history write racing the deletion left behind.
 */
export async function writeRoomTombstone(table: Table, roomId: string, now: number): Promise<void> {
  const deletedAt = new Date(now).toISOString();
  await run(() =>
    table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keys.roomTombstone(roomId),
          kind: 'tombstone',
          roomId,
          deletedAt,
          gsi1pk: TOMBSTONES,
          gsi1sk: timeOrderKey(deletedAt, roomId),
          ttl: ttlSeconds(now + TOMBSTONE_DAYS * 86_400_000),
        },
      }),
    ),
  );
}

export async function deleteRoomItem(table: Table, roomId: string): Promise<void> {
  await run(() => table.client.send(new DeleteCommand({ TableName: table.name, Key: keys.room(roomId) })));
}

/**
 * Deletes every item kept for a room (its partition: members, bans, timeouts, log, history) but its
 * tombstone, a page of keys at a time, and the room item last: a failure part-way leaves the room
 * findable, so a retry of the same delete finishes the job.
 */
export async function deleteRoomPartition(table: Table, roomId: string): Promise<number> {
  const deleted = await run(() =>
    deletePartition(table, keys.roomPartition(roomId), [keys.room(roomId).sk, keys.roomTombstone(roomId).sk]),
  );
  await deleteRoomItem(table, roomId);
  return deleted + 1;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** True when the query stopped at its limit and more items may follow. */
  readonly more: boolean;
}

/** Public rooms, newest first, strictly before `before` (a roomOrder) when given. */
export async function queryPublicRooms(
  table: Table,
  options: { before: string | undefined; limit: number },
): Promise<Page<RoomRecord>> {
  const page = await queryIndexNewestFirst(table, PUBLIC_ROOMS, options);
  const items = page.items.flatMap((item) => {
    const room = parseRoom(item);
    return room ? [room] : [];
  });
  return { items, more: page.more };
}
