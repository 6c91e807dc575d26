/**
 * Small helpers over the document client shared by the item modules: every call goes through
 * `run`, which maps DynamoDB failures to HTTP problems (errors.ts) so no route sees a raw SDK error.
 */
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS } from '../../../shared/table/schema.js';
import type { ItemKey } from '../../../shared/table/keys.js';
import { mapTableError } from './upstream-errors.js';
import { isRecord } from '../../../shared/json.js';

import type { Table } from '../../../shared/table/client.js';
export type { Table } from '../../../shared/table/client.js';

export async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mapTableError(error);
  }
}

/** BatchGetItem may return some keys unprocessed under load; ask again, a bounded number of times. */
const BATCH_GET_ATTEMPTS = 4;

/**
 * Reads up to 100 items by key in one round trip (more only when DynamoDB hands some back as
 * unprocessed). Strongly consistent: a ban or a membership change written a moment ago is seen.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: readonly ItemKey[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: ItemKey[] = dedupe(itemKeys);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= BATCH_GET_ATTEMPTS) {
      throw mapTableError(Object.assign(new Error('unprocessed keys'), { name: 'ThrottlingException' }));
    }
    const keys = pending;
    const output = await run(() =>
      client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      ),
    );
    for (const item of output.Responses?.[tableName] ?? []) {
      if (typeof item.pk === 'string' && typeof item.sk === 'string')
        found.set(keyId(item.pk, item.sk), item);
    }
    pending = (output.UnprocessedKeys?.[tableName]?.Keys ?? []).flatMap((key) =>
      isRecord(key) && typeof key.pk === 'string' && typeof key.sk === 'string'
        ? [{ pk: key.pk, sk: key.sk }]
        : [],
    );
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
  }
  return found;
}

export function keyId(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}

function dedupe(itemKeys: readonly ItemKey[]): ItemKey[] {
  const seen = new Map<string, ItemKey>();
  for (const key of itemKeys) seen.set(keyId(key.pk, key.sk), { pk: key.pk, sk: key.sk });
  return [...seen.values()];
}

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
