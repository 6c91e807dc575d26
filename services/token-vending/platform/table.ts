/**
 * Small helpers over the document client shared by the item modules: every call goes through
 * `run`, which maps DynamoDB failures to HTTP problems (errors.ts) so no route sees a raw SDK error.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, keyId } from '../../../shared/table/batch.js';
import { TABLE_KEYS } from '../../../shared/table/schema.js';
import type { ItemKey } from '../../../shared/table/keys.js';
import { mapTableError } from './upstream-errors.js';

import type { Table } from '../../../shared/table/client.js';
export type { Table } from '../../../shared/table/client.js';

export async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapTableError(error);
  }
}

/**
 * Reads up to 100 items by key, strongly consistent: a ban or a membership change written a moment
 * ago is seen (shared/table/batch.ts), with DynamoDB's failures mapped to problems.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: readonly ItemKey[],
): Promise<Map<string, Record<string, unknown>>> {
  return run(() => batchGetItems({ name: tableName, client }, itemKeys));
}

export { keyId };

export function itemAt(
  items: Map<string, Record<string, unknown>>,
  key: ItemKey,
): Record<string, unknown> | undefined {
  return items.get(keyId(key.pk, key.sk));
}

export function stringField(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberField(item: Record<string, unknown>, name: string): number | undefined {
  const value = item[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * One page of a gsi1 partition, newest first (gsi1 sort keys start with an ISO time), strictly older
 * than `before` when given. `more`: the page stopped at its limit and older items may follow.
 */
export async function queryIndexNewestFirst(
  table: Table,
  partition: string,
  options: { before: string | undefined; limit: number },
): Promise<{ items: Record<string, unknown>[]; more: boolean }> {
  const { gsi1 } = TABLE_KEYS;
  const output = await run(() =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: gsi1.name,
        KeyConditionExpression:
          options.before === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk < :before',
        ExpressionAttributeValues: {
          ':pk': partition,
          ...(options.before === undefined ? {} : { ':before': options.before }),
        },
        ScanIndexForward: false,
        Limit: options.limit,
      }),
    ),
  );
  return { items: output.Items ?? [], more: output.LastEvaluatedKey !== undefined };
}
