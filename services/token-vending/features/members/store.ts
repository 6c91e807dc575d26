/**
 * Membership items: one per (room, user), in the room's partition (members of a room, in user-id
 * order) and in the user's gsi1 partition (rooms a user belongs to, newest room first: Chime's
 * ListRooms with MemberId). The item carries the room's privacy, which never changes, so "my private
 * rooms" needs no read of the rooms themselves.
 */
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ROOM_ROLES, type RoomRole } from '../../../../shared/access/model.js';
import { keys } from '../../../../shared/table/keys.js';
import { PRIVACIES, roomOrder, type Privacy, type RoomRecord } from '../rooms/store.js';
import { queryIndexNewestFirst, run, stringField, type Table } from '../../platform/table.js';
import type { Page } from '../rooms/store.js';

export { ROOM_ROLES, type RoomRole };

export interface Membership {
  readonly roomId: string;
  readonly userId: string;
  readonly role: RoomRole;
  readonly since: string;
  readonly privacy: Privacy;
  /** The room's position in time-ordered listings. */
  readonly roomOrder: string;
}

export function parseMembership(item: Record<string, unknown> | undefined): Membership | undefined {
  if (!item) return undefined;
  const roomId = stringField(item, 'roomId');
  const userId = stringField(item, 'userId');
  const role = ROOM_ROLES.find((value) => value === item.role);
  const since = stringField(item, 'since');
  const privacy = PRIVACIES.find((value) => value === item.privacy);
  const order = stringField(item, 'gsi1sk');
  if (
    roomId === undefined ||
    userId === undefined ||
    role === undefined ||
    since === undefined ||
    privacy === undefined ||
    order === undefined
  ) {
    return undefined;
  }
  return { roomId, userId, role, since, privacy, roomOrder: order };
}

/**
 * Sets a user's role in a room, keeping `since` from the first time they joined. Answers the
 * membership as stored and whether it is new (201) or changed (200).
 */
export async function putMembership(
  table: Table,
  room: RoomRecord,
  userId: string,
  role: RoomRole,
  now: string,
): Promise<{ membership: Membership; created: boolean }> {
  const output = await run(() =>
    table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.member(room.id, userId),
        UpdateExpression:
          'SET #role = :role, since = if_not_exists(since, :now), kind = :kind, roomId = :roomId, userId = :userId, privacy = :privacy, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: {
          ':role': role,
          ':now': now,
          ':kind': 'member',
          ':roomId': room.id,
          ':userId': userId,
          ':privacy': room.privacy,
          ':gsi1pk': keys.memberships(userId),
          ':gsi1sk': roomOrder(room),
        },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  const created = output.Attributes === undefined;
  const since = (output.Attributes && stringField(output.Attributes, 'since')) ?? now;
  return {
    membership: { roomId: room.id, userId, role, since, privacy: room.privacy, roomOrder: roomOrder(room) },
    created,
  };
}

/** Removes a membership; answers the one removed, if there was one. */
export async function deleteMembership(
  table: Table,
  roomId: string,
  userId: string,
): Promise<Membership | undefined> {
  const output = await run(() =>
    table.client.send(
      new DeleteCommand({ TableName: table.name, Key: keys.member(roomId, userId), ReturnValues: 'ALL_OLD' }),
    ),
  );
  return parseMembership(output.Attributes);
}

/** A room's members in user-id order, strictly after `after` (a user id) when given. */
export async function queryMembers(
  table: Table,
  roomId: string,
  options: { after: string | undefined; limit: number },
): Promise<Page<Membership>> {
  const output = await run(() =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.roomPartition(roomId), ':prefix': keys.memberPrefix },
        ...(options.after === undefined ? {} : { ExclusiveStartKey: keys.member(roomId, options.after) }),
        ConsistentRead: true,
        Limit: options.limit,
      }),
    ),
  );
  const items = (output.Items ?? []).flatMap((item) => {
    const membership = parseMembership(item);
    return membership ? [membership] : [];
  });
  return { items, more: output.LastEvaluatedKey !== undefined };
}

/** The rooms a user belongs to, newest room first, strictly before `before` (a room order). */
export async function queryMemberships(
  table: Table,
  userId: string,
  options: { before: string | undefined; limit: number },
): Promise<Page<Membership>> {
  const page = await queryIndexNewestFirst(table, keys.memberships(userId), options);
  const items = page.items.flatMap((item) => {
    const membership = parseMembership(item);
    return membership ? [membership] : [];
  });
  return { items, more: page.more };
}
