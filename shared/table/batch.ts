/**
 * The table's multi-item operations, written once for every deployable that needs them: reads of up
 * to 100 keys, deletes of many keys, and the keys of a whole partition. DynamoDB may hand back part
 * of a batch unprocessed under load: it is asked again a bounded number of times, then the call fails
 * with a ThrottlingException-named error (which the service answers 503 with Retry-After).
 */
import { BatchGetCommand, BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from './client.js';
import type { ItemKey } from './keys.js';

const ATTEMPTS = 4;

/** The id of a key in the maps these answer. */
export function keyId(pk: string, sk: string): string {
  return `${pk}\u0000${sk}`;
}

function keyOf(value: unknown): ItemKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const pk: unknown = Reflect.get(value, 'pk');
  const sk: unknown = Reflect.get(value, 'sk');
  return typeof pk === 'string' && typeof sk === 'string' ? { pk, sk } : undefined;
}

function throttled(what: string): Error {
  return Object.assign(new Error(`the table left ${what} unprocessed`), { name: 'ThrottlingException' });
}

const pause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));

/** BatchGetItem's own limit on keys per request. */
const BATCH_GET_KEYS = 100;

/**
 * Reads items by key, strongly consistent (a ban or a membership written a moment ago is seen), 100
 * keys to a request, each in one round trip unless DynamoDB hands some back. `keysOnly` reads only the
 * keys (whether the items exist). Answers the items by `keyId`.
 */
export async function batchGetItems(
  table: Table,
  itemKeys: readonly ItemKey[],
  options: { keysOnly?: boolean } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = [
    ...new Map(itemKeys.map((key) => [keyId(key.pk, key.sk), { pk: key.pk, sk: key.sk }])).values(),
  ];
  for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
    let pending = unique.slice(start, start + BATCH_GET_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= ATTEMPTS) throw throttled('keys');
      const keys = pending;
      const output = await table.client.send(
        new BatchGetCommand({
          RequestItems: {
            [table.name]: {
              Keys: keys,
              ConsistentRead: true,
              ...(options.keysOnly === true ? { ProjectionExpression: 'pk, sk' } : {}),
            },
          },
        }),
      );
      for (const item of output.Responses?.[table.name] ?? []) {
        const key = keyOf(item);
        if (key) found.set(keyId(key.pk, key.sk), item);
      }
      pending = (output.UnprocessedKeys?.[table.name]?.Keys ?? []).flatMap((key) => {
        const parsed = keyOf(key);
        return parsed ? [parsed] : [];
      });
      if (pending.length > 0) await pause(attempt);
    }
  }
  return found;
}

/** Deletes items by key, 25 to a BatchWriteItem; answers how many were deleted. */
export async function batchDeleteKeys(table: Table, itemKeys: readonly ItemKey[]): Promise<number> {
  let deleted = 0;
  for (let offset = 0; offset < itemKeys.length; offset += 25) {
    let requests = itemKeys
      .slice(offset, offset + 25)
      .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= ATTEMPTS + 2) throw throttled('deletes');
      const batch = requests;
      const output = await table.client.send(
        new BatchWriteCommand({ RequestItems: { [table.name]: batch } }),
      );
      const unprocessed = output.UnprocessedItems?.[table.name] ?? [];
      deleted += batch.length - unprocessed.length;
      requests = unprocessed.flatMap((request) => {
        const key = keyOf(request.DeleteRequest?.Key);
        return key ? [{ DeleteRequest: { Key: key } }] : [];
      });
      if (requests.length > 0) await pause(attempt);
    }
  }
  return deleted;
}

/** The keys of a partition, a page at a time (strongly consistent). */
export async function* partitionKeys(table: Table, pk: string): AsyncGenerator<ItemKey[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const from = start;
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
        Limit: 100,
        ...(from === undefined ? {} : { ExclusiveStartKey: from }),
      }),
    );
    yield (page.Items ?? []).flatMap((item) => {
      const key = keyOf(item);
      return key ? [key] : [];
    });
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/** Deletes every item of a partition but those whose sort key is in `keep`; answers how many. */
export async function deletePartition(
  table: Table,
  pk: string,
  keep: readonly string[] = [],
): Promise<number> {
  let deleted = 0;
  for await (const page of partitionKeys(table, pk)) {
    deleted += await batchDeleteKeys(
      table,
      page.filter((key) => !keep.includes(key.sk)),
    );
  }
  return deleted;
}
