/**
 * Key builders for every item kind in the table, in one place so the service and the Lambdas agree.
 * A room's partition holds everything kept for it (so deleting a room is one Query), users' own
 * items live under `USER#`. User ids may contain any character, '#' included: they are always the
 * last part of a key and are never split back out of one. docs/architecture.md describes each kind.
 *
 * | item              | pk              | sk                   | gsi1pk            | gsi1sk                    |
 * |-------------------|-----------------|----------------------|-------------------|---------------------------|
 * | room              | ROOM#<roomId>   | ROOM                 | PUBLIC (public)   | <createTime>#<roomId>     |
 * | member            | ROOM#<roomId>   | MEMBER#<userId>      | MEMBER#<userId>   | <roomCreateTime>#<roomId> |
 * | room ban          | ROOM#<roomId>   | BAN#<userId>         |                   |                           |
 * | timeout           | ROOM#<roomId>   | TIMEOUT#<userId>     |                   |                           |
 * | revocation        | ROOM#<roomId>   | REVOKED#<userId>     | REVOKED           | <until>#<roomId>          |
 * | last send         | ROOM#<roomId>   | SENT#<userId>        |                   |                           |
 * | held message      | ROOM#<roomId>   | HELD#<heldId>        | HELD#<roomId>     | <heldAt>#<heldId>         |
 * | moderation log    | ROOM#<roomId>   | LOG#<time>#<random>  |                   |                           |
 * | message           | ROOM#<roomId>   | MSG#<messageId>      | HISTORY#<roomId>  | <sendTime>#<messageId>    |
 * | deleted message   | ROOM#<roomId>   | DELETED#<messageId>  |                   |                           |
 * | deleted room      | ROOM#<roomId>   | TOMBSTONE            | TOMBSTONES        | <deletedAt>#<roomId>      |
 * | app-wide ban      | USER#<userId>   | BAN                  |                   |                           |
 * | session           | USER#<userId>   | SESSION#<roomArn>    |                   |                           |
 * | rate window       | RATE#<key>      | <window start>       |                   |                           |
 * | admission shard   | ADMIT#<shard>   | SCHEDULE             |                   |                           |
 * | pace shard        | ADMIT#PACE#<n>  | SCHEDULE             |                   |                           |
 * | admission key     | ADMIT#KEY       | KEY                  |                   |                           |
 */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export const PUBLIC_ROOMS = 'PUBLIC';
/** gsi1 partition of revocations in force, sorted by when they end (the sweep reads those ahead). */
export const REVOCATIONS = 'REVOKED';
/** gsi1 partition of deleted rooms, sorted by when they were deleted. */
export const TOMBSTONES = 'TOMBSTONES';

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
  /** A user who lost access to the room, disconnected again until their last token's session ends. */
  revocation: (roomId: string, userId: string): ItemKey => ({
    pk: `ROOM#${roomId}`,
    sk: `REVOKED#${userId}`,
  }),
  /** When the user's last message in the room was accepted (slow mode). */
  lastSend: (roomId: string, userId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `SENT#${userId}` }),
  heldMessage: (roomId: string, heldId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `HELD#${heldId}` }),
  /** gsi1 partition of a room's held messages, oldest first. */
  heldQueue: (roomId: string): string => `HELD#${roomId}`,
  moderationLogPrefix: 'LOG#',
  message: (roomId: string, messageId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: `MSG#${messageId}` }),
  deletedMessage: (roomId: string, messageId: string): ItemKey => ({
    pk: `ROOM#${roomId}`,
    sk: `DELETED#${messageId}`,
  }),
  /** Written when a room is deleted: the history function drops what still arrives for it. */
  roomTombstone: (roomId: string): ItemKey => ({ pk: `ROOM#${roomId}`, sk: 'TOMBSTONE' }),
  /** gsi1 partition of a room's history, sorted by send time. */
  history: (roomId: string): string => `HISTORY#${roomId}`,
  appBan: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: 'BAN' }),
  userPartition: (userId: string): string => `USER#${userId}`,
  /** Where a user got chat tokens, with the latest session end (bans and revocations reach them there). */
  session: (userId: string, roomArn: string): ItemKey => ({ pk: `USER#${userId}`, sk: `SESSION#${roomArn}` }),
  sessionPrefix: 'SESSION#',
  rateWindow: (key: string, windowStart: number): ItemKey => ({ pk: `RATE#${key}`, sk: String(windowStart) }),
  /**
   * One shard of the CreateChatToken schedule (admission at IVS's quota): the next free place on it.
   * Each shard is its own partition, so no one key takes every token request's write.
   */
  admissionShard: (shard: number): ItemKey => ({ pk: `ADMIT#${shard}`, sk: 'SCHEDULE' }),
  /** One shard of the pace every CreateChatToken call is booked on as it is made (admission.ts). */
  admissionPaceShard: (shard: number): ItemKey => ({ pk: `ADMIT#PACE#${shard}`, sk: 'SCHEDULE' }),
  /** The key every instance signs and checks admission tickets with (made once, on first need). */
  admissionKey: { pk: 'ADMIT#KEY', sk: 'KEY' } satisfies ItemKey,
} as const;

/** gsi1 sort key of listings by time: ISO-8601 UTC strings sort as the times they name. */
export function timeOrderKey(isoTime: string, id: string): string {
  return `${isoTime}#${id}`;
}

/** Epoch seconds for the `ttl` attribute. */
export function ttlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}
