/**
 * Key builders for every item kind in the table, in one place so the service and the Lambdas agree.
 * A room's partition holds everything kept for it (so deleting a room is one Query), users' own
 * items live under `USER#`. User ids may contain any character, '#' included: they are always the
 * last part of a key and are never split back out of one.
 *
 * | item            | pk              | sk                      | gsi1pk            | gsi1sk                  |
 * |-----------------|-----------------|-------------------------|-------------------|-------------------------|
 * | room            | ROOM#<roomId>   | ROOM                    | PUBLIC (public)   | <createTime>#<roomId>   |
 * | member          | ROOM#<roomId>   | MEMBER#<userId>         | MEMBER#<userId>   | <roomCreateTime>#<roomId> |
 * | room ban        | ROOM#<roomId>   | BAN#<userId>            |                   |                         |
 * | timeout         | ROOM#<roomId>   | TIMEOUT#<userId>        |                   |                         |
 * | moderation log  | ROOM#<roomId>   | LOG#<time>#<random>     |                   |                         |
 * | message         | ROOM#<roomId>   | MSG#<messageId>         | HISTORY#<roomId>  | <sendTime>#<messageId>  |
 * | deleted message | ROOM#<roomId>   | DELETED#<messageId>     |                   |                         |
 * | app-wide ban    | USER#<userId>   | BAN                     |                   |                         |
 * | session         | USER#<userId>   | SESSION#<roomArn>       |                   |                         |
 * | profile         | USER#<userId>   | PROFILE                 |                   |                         |
 * | rate window     | RATE#<key>      | <window start>          |                   |                         |
 */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const PUBLIC_ROOMS = 'PUBLIC';

export const keys = {
  room: (roomId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: 'ROOM' }),
  roomPartition: (roomId: string): string => `ROOM#${roomId}`,
  member: (roomId: string, userId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `MEMBER#${userId}` }),
  memberPrefix: 'MEMBER#',
  /** gsi1 partition of one user's memberships (Chime's ListRooms with MemberId). */
  memberships: (userId: string): string => `MEMBER#${userId}`,
  roomBan: (roomId: string, userId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `BAN#${userId}` }),
  roomBanPrefix: 'BAN#',
  timeout: (roomId: string, userId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `TIMEOUT#${userId}` }),
  timeoutPrefix: 'TIMEOUT#',
  moderationLogPrefix: 'LOG#',
  message: (roomId: string, messageId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `MSG#${messageId}` }),
  deletedMessage: (roomId: string, messageId: string): ItemKey => ({
    pk: `ROOM#${roomId}`,
    sk: `DELETED#${messageId}`,
  }),
  /** gsi1 partition of a room's history, sorted by send time. */
  history: (roomId: string): string => `HISTORY#${roomId}`,
  appBan: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'BAN' }),
  userPartition: (userId: string): string => `USER#${userId}`,
  /** Where a user got a chat token, until the session ends (an app-wide ban disconnects them there). */
  session: (userId: string, roomArn: string): ItemKey => ({ pk: `USER#${userId}`, sk: `SESSION#${roomArn}` }),
  sessionPrefix: 'SESSION#',
  /** What the service last learnt of a user's app roles (whether they administer chat). */
  profile: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  rateWindow: (key: string, windowStart: number): ItemKey => ({ pk: `RATE#${key}`, sk: String(windowStart) }),
} as const;

/** gsi1 sort key of listings by time: ISO-8601 UTC strings sort as the times they name. */
export function timeOrderKey(isoTime: string, id: string): string {
  return `${isoTime}#${id}`;
}

/** Epoch seconds for the `ttl` attribute. */
export function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}
