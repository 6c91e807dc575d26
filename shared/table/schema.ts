/**
 * The one DynamoDB table every deployable shares (single-table design). The same definition creates
 * the local table (dynalite) and is compared with template.yaml by a test, so the two cannot drift.
 *
 * Keys: `pk`/`sk` strings, and one sparse global secondary index `gsi1` (`gsi1pk`/`gsi1sk`, all
 * attributes projected) that serves the listings the base keys cannot. `ttl` (epoch seconds) is the
 * TTL attribute: DynamoDB deletes expired items lazily, so every reader also checks expiry itself.
 * The item kinds and their keys are in keys.ts; the README's "State store" section draws the layout.
 */
export const TABLE_KEYS = {
  partition: 'pk',
  sort: 'sk',
  gsi1: { name: 'gsi1', partition: 'gsi1pk', sort: 'gsi1sk' },
  ttl: 'ttl',
} as const;

/** The CreateTable input (plain JSON, so this module needs no SDK import). */
export function tableDefinition(tableName: string) {
  const { partition, sort, gsi1 } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partition, AttributeType: 'S' },
      { AttributeName: sort, AttributeType: 'S' },
      { AttributeName: gsi1.partition, AttributeType: 'S' },
      { AttributeName: gsi1.sort, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partition, KeyType: 'HASH' },
      { AttributeName: sort, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: gsi1.name,
        KeySchema: [
          { AttributeName: gsi1.partition, KeyType: 'HASH' },
          { AttributeName: gsi1.sort, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  } as const;
}
