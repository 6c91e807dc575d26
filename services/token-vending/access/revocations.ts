/**
 * Access that really ends. IVS cannot revoke a chat token: one fetched before a user was removed from
 * a private room or banned can still open a connection (for an hour after it was issued) and that
 * connection lasts until its session ends (up to 180 minutes). So taking access away (1) closes the
 * user's connections to the room now, and (2) records a revocation that the sweep
 * (lambdas/access-sweeper) acts on every few seconds, closing their connections again, until the
 * latest session end ever issued to them there has passed. Sends over such a connection are refused
 * by the review function meanwhile (it reads the same standing). The sweep checks the standing again
 * before each disconnect, so a user let back in (re-added, unbanned) is left alone.
 */
import { DisconnectUserCommand, type IvschatClient } from '@aws-sdk/client-ivschat';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { REVOCATIONS, keys, timeOrderKey, ttlSeconds } from '../../../shared/table/keys.js';
import type { Table } from '../../../shared/table/client.js';
import { batchGet, itemAt, stringField } from '../platform/table.js';
import { mapIvsError, mapTableError } from '../platform/upstream-errors.js';

/**
 * The least a revocation lasts, even when no session is recorded: a token being issued while the
 * access is taken away writes its session a moment later, and the sweep extends the revocation to
 * it on its next pass.
 */
export const REVOCATION_MIN_MS = 5 * 60_000;

/**
 * What the room's other users read in the `aws:DISCONNECT_USER` event IVS sends to everyone: never a
 * moderator's reason, which only the user concerned reads (in their 403 `banned`).
 */
export const DISCONNECT_REASON = 'Removed by a moderator';

/** Closes every connection the user has to the room now; a room already gone has none. */
export async function disconnectUser(ivs: IvschatClient, roomArn: string, userId: string): Promise<void> {
  try {
    await ivs.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId, reason: DISCONNECT_REASON }));
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
    throw mapIvsError(error);
  }
}

/**
 * Records that the user lost access to the room, lasting until the latest session end issued to them
 * there (or REVOCATION_MIN_MS). A revocation already recorded only grows.
 */
export async function recordRevocation(
  table: Table,
  room: { readonly id: string; readonly arn: string },
  userId: string,
  now: number,
): Promise<void> {
  const sessionKey = keys.session(userId, room.arn);
  const items = await batchGet(table.client, table.name, [sessionKey]);
  const session = itemAt(items, sessionKey);
  const sessionEnd = session ? Date.parse(stringField(session, 'until') ?? '') : Number.NaN;
  const until = new Date(Math.max(Number.isNaN(sessionEnd) ? 0 : sessionEnd, now + REVOCATION_MIN_MS));
  const untilText = until.toISOString();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.revocation(room.id, userId),
        UpdateExpression:
          'SET kind = :kind, roomId = :roomId, roomArn = :arn, userId = :userId, #until = :until, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
        ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':kind': 'revocation',
          ':roomId': room.id,
          ':arn': room.arn,
          ':userId': userId,
          ':until': untilText,
          ':gsi1pk': REVOCATIONS,
          ':gsi1sk': timeOrderKey(untilText, room.id),
          ':ttl': ttlSeconds(until.getTime()),
        },
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
    throw mapTableError(error);
  }
}

/** Takes the user's access to the room away now, and keeps it away (see above). */
export async function revokeAccess(
  deps: { readonly ivs: IvschatClient; readonly table: Table; readonly clock: () => number },
  room: { readonly id: string; readonly arn: string },
  userId: string,
): Promise<void> {
  // The record first: if IVS fails now, the sweep still closes the connection within seconds.
  await recordRevocation(deps.table, room, userId, deps.clock());
  await disconnectUser(deps.ivs, room.arn, userId);
}
