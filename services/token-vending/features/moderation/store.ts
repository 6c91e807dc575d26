/**
 * Moderation items: room bans, timeouts, app-wide bans, the moderation log, and where each user
 * recently got a chat token (so an app-wide ban knows which rooms to disconnect them from). One item
 * per (room, user) or per user, never a growing list: nothing here nears DynamoDB's 400 KB item limit
 * however many users are banned. Expiry is checked on read (DynamoDB's TTL deletion is lazy).
 */
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys, ttlSeconds, type ItemKey } from '../../../../shared/table/keys.js';
import { run, stringField, type Table } from '../../platform/table.js';
import type { Page } from '../rooms/store.js';

/** A ban (room or app-wide) or a timeout. `until` unset: permanent (bans only). */
export interface Restriction {
  readonly userId: string;
  readonly reason: string | undefined;
  /** ISO-8601 end, or undefined for a permanent ban. */
  readonly until: string | undefined;
  /** Who imposed it (a user id). */
  readonly by: string;
  readonly since: string;
}

export type RestrictionKind = 'ban' | 'timeout' | 'appBan';

function keyOf(kind: RestrictionKind, roomId: string | undefined, userId: string): ItemKey {
  if (kind === 'appBan') return keys.appBan(userId);
  if (roomId === undefined) throw new Error('a room restriction needs a room');
  return kind === 'ban' ? keys.roomBan(roomId, userId) : keys.timeout(roomId, userId);
}

/** Parses a stored restriction; expired ones (at `now`) and malformed items read as absent. */
export function parseRestriction(
  item: Record<string, unknown> | undefined,
  now: number,
): Restriction | undefined {
  if (!item) return undefined;
  const userId = stringField(item, 'userId');
  const by = stringField(item, 'by');
  const since = stringField(item, 'since');
  const until = stringField(item, 'until');
  if (userId === undefined || by === undefined || since === undefined) return undefined;
  if (until !== undefined && !(Date.parse(until) > now)) return undefined;
  return { userId, reason: stringField(item, 'reason'), until, by, since };
}

/**
 * Writes a restriction (replacing one in force: banning twice updates the reason and the end).
 * Answers whether one was already in force at `now`.
 */
export async function putRestriction(
  table: Table,
  kind: RestrictionKind,
  roomId: string | undefined,
  restriction: Restriction,
  now: number,
): Promise<{ replaced: boolean }> {
  const output = await run(() =>
    table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...keyOf(kind, roomId, restriction.userId),
          kind,
          ...(roomId === undefined ? {} : { roomId }),
          userId: restriction.userId,
          by: restriction.by,
          since: restriction.since,
          ...(restriction.reason === undefined ? {} : { reason: restriction.reason }),
          ...(restriction.until === undefined
            ? {}
            : { until: restriction.until, ttl: ttlSeconds(Date.parse(restriction.until)) }),
        },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return { replaced: parseRestriction(output.Attributes, now) !== undefined };
}

/** Lifts a restriction; answers whether one was in force. Lifting one that is not there is fine. */
export async function deleteRestriction(
  table: Table,
  kind: RestrictionKind,
  roomId: string | undefined,
  userId: string,
  now: number,
): Promise<boolean> {
  const output = await run(() =>
    table.client.send(
      new DeleteCommand({ TableName: table.name, Key: keyOf(kind, roomId, userId), ReturnValues: 'ALL_OLD' }),
    ),
  );
  return parseRestriction(output.Attributes, now) !== undefined;
}

/** A room's bans or timeouts in force, by user id, strictly after `after` (a user id). */
export async function queryRestrictions(
  table: Table,
  kind: 'ban' | 'timeout',
  roomId: string,
  options: { after: string | undefined; limit: number; now: number },
): Promise<Page<Restriction> & { last: string | undefined }> {
  const prefix = kind === 'ban' ? keys.roomBanPrefix : keys.timeoutPrefix;
  const output = await run(() =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.roomPartition(roomId), ':prefix': prefix },
        ...(options.after === undefined ? {} : { ExclusiveStartKey: keyOf(kind, roomId, options.after) }),
        ConsistentRead: true,
        Limit: options.limit,
      }),
    ),
  );
  const read = output.Items ?? [];
  const items = read.flatMap((item) => {
    const restriction = parseRestriction(item, options.now);
    return restriction ? [restriction] : [];
  });
  // The last item read, expired or not, is where the next page starts.
  const lastItem = read.at(-1);
  const last = lastItem ? stringField(lastItem, 'userId') : undefined;
  return { items, more: output.LastEvaluatedKey !== undefined, last };
}

export const MODERATION_ACTIONS = [
  'ban',
  'unban',
  'timeout',
  'untimeout',
  'deleteMessage',
  'sendEvent',
  'removeMember',
  'setRole',
] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export interface LogEntry {
  readonly time: string;
  readonly action: ModerationAction;
  /** Who acted. */
  readonly by: string;
  /** Whom it concerned, if anyone. */
  readonly target?: string | undefined;
  readonly reason?: string | undefined;
  readonly until?: string | undefined;
  readonly messageId?: string | undefined;
  readonly eventName?: string | undefined;
}

/** How long the moderation log keeps an entry. */
export const MODERATION_LOG_DAYS = 90;

export async function appendLog(table: Table, roomId: string, entry: LogEntry): Promise<void> {
  const sk = `${keys.moderationLogPrefix}${entry.time}#${randomBytes(4).toString('hex')}`;
  await run(() =>
    table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          pk: keys.roomPartition(roomId),
          sk,
          kind: 'log',
          ...Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)),
          ttl: ttlSeconds(Date.parse(entry.time) + MODERATION_LOG_DAYS * 86_400_000),
        },
      }),
    ),
  );
}

function parseLogEntry(item: Record<string, unknown>): LogEntry | undefined {
  const time = stringField(item, 'time');
  const by = stringField(item, 'by');
  const action = MODERATION_ACTIONS.find((value) => value === item.action);
  if (time === undefined || by === undefined || action === undefined) return undefined;
  return {
    time,
    action,
    by,
    target: stringField(item, 'target'),
    reason: stringField(item, 'reason'),
    until: stringField(item, 'until'),
    messageId: stringField(item, 'messageId'),
    eventName: stringField(item, 'eventName'),
  };
}

/** The moderation log, newest first, strictly older than `before` (a log sort key). */
export async function queryLog(
  table: Table,
  roomId: string,
  options: { before: string | undefined; limit: number },
): Promise<Page<LogEntry> & { last: string | undefined }> {
  const output = await run(() =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression:
          options.before === undefined
            ? 'pk = :pk AND begins_with(sk, :prefix)'
            : 'pk = :pk AND sk BETWEEN :prefix AND :before',
        ExpressionAttributeValues: {
          ':pk': keys.roomPartition(roomId),
          ':prefix': keys.moderationLogPrefix,
          ...(options.before === undefined ? {} : { ':before': options.before }),
        },
        ScanIndexForward: false,
        Limit: options.limit + (options.before === undefined ? 0 : 1),
      }),
    ),
  );
  // BETWEEN is inclusive: drop the entry the cursor names.
  const read = (output.Items ?? []).filter((item) => item.sk !== options.before).slice(0, options.limit);
  const items = read.flatMap((item) => {
    const entry = parseLogEntry(item);
    return entry ? [entry] : [];
  });
  const lastSk: unknown = read.at(-1)?.sk;
  const more = output.LastEvaluatedKey !== undefined || (output.Items?.length ?? 0) > read.length;
  return { items, more, last: typeof lastSk === 'string' ? lastSk : undefined };
}

/** How long an admin's last token keeps them marked as an admin (a moderator may not ban one). */
export const ADMIN_PROFILE_DAYS = 30;

/**
 * Where a user holds a chat token: one item per user and room, refreshed with every token, expiring
 * with the session; an app-wide ban disconnects them from each of these rooms. For an admin, also a
 * profile item saying so (a moderator may not ban or time out an admin); other users write only the
 * session, a single PutItem.
 */
export async function recordSession(
  table: Table,
  userId: string,
  roomArn: string,
  sessionEnds: Date,
  isAdmin: boolean,
): Promise<void> {
  const session = {
    ...keys.session(userId, roomArn),
    kind: 'session',
    roomArn,
    until: sessionEnds.toISOString(),
    ttl: ttlSeconds(sessionEnds.getTime()),
  };
  if (!isAdmin) {
    await run(() => table.client.send(new PutCommand({ TableName: table.name, Item: session })));
    return;
  }
  const seen = Date.now();
  const profile = {
    ...keys.profile(userId),
    kind: 'profile',
    admin: true,
    until: new Date(seen + ADMIN_PROFILE_DAYS * 86_400_000).toISOString(),
    ttl: ttlSeconds(seen + ADMIN_PROFILE_DAYS * 86_400_000),
  };
  await run(() =>
    table.client.send(
      new BatchWriteCommand({
        RequestItems: {
          [table.name]: [{ PutRequest: { Item: session } }, { PutRequest: { Item: profile } }],
        },
      }),
    ),
  );
}

/** Whether the user got a token as an admin within the last ADMIN_PROFILE_DAYS. */
export function parseProfileAdmin(item: Record<string, unknown> | undefined, now: number): boolean {
  const until = item === undefined ? undefined : stringField(item, 'until');
  return item?.admin === true && until !== undefined && Date.parse(until) > now;
}

/** The rooms (ARNs) where a user's sessions may still be open at `now`. */
export async function sessionRooms(table: Table, userId: string, now: number): Promise<string[]> {
  const rooms: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const from = start;
    const output = await run(() =>
      table.client.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': keys.sessionPrefix },
          ConsistentRead: true,
          ...(from === undefined ? {} : { ExclusiveStartKey: from }),
        }),
      ),
    );
    for (const item of output.Items ?? []) {
      const until = stringField(item, 'until');
      const arn = stringField(item, 'roomArn');
      if (arn !== undefined && until !== undefined && Date.parse(until) > now) rooms.push(arn);
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return rooms;
}
