/**
 * Restriction items: room bans, timeouts and app-wide bans. One item per (room, user) or per user,
 * never a growing list: nothing here nears DynamoDB's 400 KB item limit however many users are
 * banned. Expiry is checked on read (DynamoDB's TTL deletion is lazy).
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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
