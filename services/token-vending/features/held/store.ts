/**
 * Held messages as the token service reads and decides them. The review function writes them
 * (lambdas/message-review/room-modes.ts) in the layout of shared/table/held.ts; here the room's queue
 * is read oldest first from gsi1, and a decision is one conditional write that takes the message out
 * of the queue, so two moderators deciding at once cannot both win.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  heldExpired,
  heldOrderKey,
  parseHeldItem,
  type HeldDecision,
  type HeldRecord,
} from '../../../../shared/table/held.js';
import { keys } from '../../../../shared/table/keys.js';
import { TABLE_KEYS } from '../../../../shared/table/schema.js';
import { run, type Table } from '../../platform/table.js';
import { mapTableError } from '../../platform/upstream-errors.js';

/**
 * Queries one page may take: expired messages stay in the index until DynamoDB's TTL deletes them
 * (lazily, often days later), and a filtered query page can come back empty. Bounded so one request
 * cannot walk a long expired tail; the page then ends early with a cursor past what was read.
 */
const MAX_QUERIES_PER_PAGE = 5;

export interface HeldPage {
  readonly items: readonly HeldRecord[];
  /** The queue position to continue after, when more may follow. */
  readonly next: string | undefined;
}

/** The room's undecided, unexpired held messages, oldest first, strictly after `after`. */
export async function listHeld(
  table: Table,
  roomId: string,
  options: { readonly after: string | undefined; readonly limit: number; readonly now: number },
): Promise<HeldPage> {
  const { gsi1 } = TABLE_KEYS;
  const items: HeldRecord[] = [];
  let start: Record<string, unknown> | undefined;
  let position = options.after;
  for (let query = 0; query < MAX_QUERIES_PER_PAGE; query++) {
    const output = await run(() =>
      table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: gsi1.name,
          KeyConditionExpression:
            options.after === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk > :after',
          // Expired ones are left out by the table (ttl in epoch seconds), not after a page is cut.
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':pk': keys.heldQueue(roomId),
            ':now': Math.floor(options.now / 1000),
            ...(options.after === undefined ? {} : { ':after': options.after }),
          },
          ScanIndexForward: true,
          Limit: options.limit - items.length,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      ),
    );
    for (const item of output.Items ?? []) {
      const held = parseHeldItem(item);
      // The filter's second half: a ttl exactly at this second, or an item written oddly.
      if (held !== undefined && held.decision === undefined && !heldExpired(held, options.now)) {
        items.push(held);
      }
      if (typeof item.gsi1sk === 'string') position = item.gsi1sk;
    }
    start = output.LastEvaluatedKey;
    if (start === undefined) return { items, next: undefined };
    const lastKey: unknown = start.gsi1sk;
    if (typeof lastKey === 'string') position = lastKey;
    if (items.length >= options.limit) break;
  }
  return { items, next: position };
}

export async function getHeld(table: Table, roomId: string, heldId: string): Promise<HeldRecord | undefined> {
  const output = await run(() =>
    table.client.send(
      new GetCommand({ TableName: table.name, Key: keys.heldMessage(roomId, heldId), ConsistentRead: true }),
    ),
  );
  return parseHeldItem(output.Item);
}

export type DecideOutcome =
  | { readonly ok: true; readonly held: HeldRecord }
  /** `held` undefined: no such message, or it expired. Otherwise it was decided already. */
  | { readonly ok: false; readonly held: HeldRecord | undefined };

/**
 * Records the decision if the message is still undecided and unexpired, taking it out of the queue.
 * DynamoDB applies conditional writes to one item one at a time: of two moderators deciding at once,
 * exactly one succeeds and the other is told who decided.
 */
export async function decideHeld(
  table: Table,
  roomId: string,
  heldId: string,
  decision: { readonly decision: HeldDecision; readonly by: string; readonly at: number },
): Promise<DecideOutcome> {
  try {
    const output = await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.heldMessage(roomId, heldId),
        UpdateExpression: 'SET decision = :decision, decidedBy = :by, decidedAt = :at REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision) AND #ttl > :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':decision': decision.decision,
          ':by': decision.by,
          ':at': new Date(decision.at).toISOString(),
          ':now': Math.floor(decision.at / 1000),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const held = parseHeldItem(output.Attributes);
    if (held === undefined) throw new Error('the decided held message is not well formed');
    return { ok: true, held };
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) {
      throw mapTableError(error);
    }
  }
  const held = await getHeld(table, roomId, heldId);
  if (held === undefined || held.decision === undefined || heldExpired(held, decision.at)) {
    return { ok: false, held: undefined };
  }
  return { ok: false, held };
}

/**
 * Puts an approved message back in the queue when it could not be delivered, so the approval can be
 * tried again rather than the message being lost. Only the decision this request made is undone.
 */
export async function undoDecision(table: Table, held: HeldRecord): Promise<void> {
  await run(() =>
    table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.heldMessage(held.roomId, held.id),
        UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk REMOVE decision, decidedBy, decidedAt',
        ConditionExpression: 'decidedAt = :at AND decidedBy = :by',
        ExpressionAttributeValues: {
          ':pk': keys.heldQueue(held.roomId),
          ':sk': heldOrderKey(held.heldAt, held.id),
          ':at': held.decidedAt ?? '',
          ':by': held.decidedBy ?? '',
        },
      }),
    ),
  );
}
