/**
 * The moderation log: who did what to whom, when and why, one item per entry in the room's
 * partition, newest first, kept MODERATION_LOG_DAYS.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys, ttlSeconds } from '../../../../shared/table/keys.js';
import { run, stringField, type Table } from '../../platform/table.js';
import type { Page } from '../rooms/store.js';

export const MODERATION_ACTIONS = [
  'ban',
  'unban',
  'timeout',
  'untimeout',
  'deleteMessage',
  'sendEvent',
  'removeMember',
  'setRole',
  'setModes',
  'pin',
  'unpin',
  'approveHeld',
  'rejectHeld',
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
  /** The held message approved or rejected (features/held). */
  readonly heldId?: string | undefined;
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
    heldId: stringField(item, 'heldId'),
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
