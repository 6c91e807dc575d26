/**
 * batchGetItems against a real table (dynalite): more keys than one BatchGetItem takes, duplicates,
 * missing items and a keys-only read; and, with a client that hands keys back, the bounded retry.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalTable } from '../../../services/local-dynamodb/start.js';
import { batchGetItems, keyId } from '../../../shared/table/batch.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';

const local = await startLocalTable();
const table: Table = {
  name: local.tableName,
  client: createTableClient({ endpoint: local.endpoint, region: 'us-east-1', dummyCredentials: true }),
};
after(async () => {
  table.client.destroy();
  await local.close();
});

const key = (i: number): { pk: string; sk: string } => ({
  pk: 'BATCH#test',
  sk: `ITEM#${String(i).padStart(4, '0')}`,
});

describe('batchGetItems', () => {
  it('reads more keys than one request takes, once each, and skips the missing', async () => {
    for (let start = 0; start < 150; start += 25) {
      const requests = Array.from({ length: 25 }, (_, i) => ({
        PutRequest: { Item: { ...key(start + i), body: `item ${String(start + i)}` } },
      }));
      await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: requests } }));
    }
    // 150 written, 30 asked for that were never written, and 20 asked twice: 200 keys, 180 distinct.
    const wanted = [
      ...Array.from({ length: 180 }, (_, i) => key(i)),
      ...Array.from({ length: 20 }, (_, i) => key(i)),
    ];

    const items = await batchGetItems(table, wanted);

    assert.equal(items.size, 150);
    assert.equal(items.get(keyId(key(149).pk, key(149).sk))?.body, 'item 149');
    assert.equal(items.has(keyId(key(150).pk, key(150).sk)), false);
  });

  it('reads only the keys when asked', async () => {
    await table.client.send(
      new BatchWriteCommand({
        RequestItems: { [table.name]: [{ PutRequest: { Item: { ...key(900), body: 'x' } } }] },
      }),
    );

    const items = await batchGetItems(table, [key(900)], { keysOnly: true });

    assert.deepEqual([...items.values()], [key(900)]);
  });

  it('asks again for keys handed back, then fails as throttled after a bounded number of tries', async () => {
    let requests = 0;
    const stubborn: Table = {
      name: 'stubborn',
      client: {
        send: (command: { input: { RequestItems: Record<string, { Keys: unknown[] }> } }) => {
          requests += 1;
          const asked = command.input.RequestItems.stubborn?.Keys ?? [];
          return Promise.resolve({
            Responses: { stubborn: [] },
            UnprocessedKeys: { stubborn: { Keys: asked } },
          });
        },
      } as unknown as DynamoDBDocumentClient,
    };

    await assert.rejects(batchGetItems(stubborn, [key(1)]), { name: 'ThrottlingException' });
    assert.equal(requests, 4);
  });
});
