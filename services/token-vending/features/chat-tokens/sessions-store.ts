/**
 * Where a user holds chat tokens: one item per user and room, holding the latest session end ever
 * issued to them there. An app-wide ban disconnects them from each such room, and a removal or ban
 * keeps disconnecting them until that end (access/revocations.ts). The end may only grow: a later,
 * shorter token must never hide a longer one still able to connect.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../../../shared/table/client.js';
import { keys, ttlSeconds } from '../../../../shared/table/keys.js';
import { run, stringField } from '../../platform/table.js';
import { mapTableError } from '../../platform/upstream-errors.js';

/** Records a session end for the user in the room, unless a later one is already recorded. */
export async function recordSession(
  table: Table,
  userId: string,
  roomArn: string,
  sessionEnds: Date,
): Promise<void> {
  const until = sessionEnds.toISOString();
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.session(userId, roomArn),
        UpdateExpression: 'SET kind = :kind, roomArn = :arn, #until = :until, #ttl = :ttl',
        // ISO-8601 UTC times of one format sort as the times they name.
        ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
        ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':kind': 'session',
          ':arn': roomArn,
          ':until': until,
          ':ttl': ttlSeconds(sessionEnds.getTime()),
        },
      }),
    );
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
    throw mapTableError(error);
  }
}

export interface SessionEnd {
  readonly roomArn: string;
  readonly until: string;
}

/** The rooms (ARNs) where a user's sessions may still be open at `now`, with their latest ends. */
export async function openSessions(table: Table, userId: string, now: number): Promise<SessionEnd[]> {
  const sessions: SessionEnd[] = [];
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
      const roomArn = stringField(item, 'roomArn');
      if (roomArn !== undefined && until !== undefined && Date.parse(until) > now)
        sessions.push({ roomArn, until });
    }
    start = output.LastEvaluatedKey;
  } while (start !== undefined);
  return sessions;
}
