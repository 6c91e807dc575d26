/**
 * A real DynamoDB API (dynalite, in memory) for the test file that imports this, started once per
 * test process and closed when its tests end. Tests that need an empty table use `freshTable()`.
 */
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableClient, type Table } from '../../../../shared/table/client.js';
import { createTable, startLocalTable } from '../../../../services/local-dynamodb/start.js';

const local = await startLocalTable();
const client = createTableClient({ endpoint: local.endpoint, region: 'us-east-1', dummyCredentials: true });
const admin = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

after(async () => {
  client.destroy();
  admin.destroy();
  await local.close();
});

export const TABLE_ENDPOINT = local.endpoint;

/**
 * A client of the same server that waits up to 30 s for an answer (the service's own waits 2 s), for
 * tests that count calls or bookings: on a loaded machine a slow answer must not become a 503 there.
 */
export function patientClient(): Table['client'] {
  return createTableClient({
    endpoint: local.endpoint,
    region: 'us-east-1',
    dummyCredentials: true,
    requestTimeoutMs: 30_000,
    deadlineMs: 30_000,
  });
}

/** The table every test in the process shares. */
export const TEST_TABLE: Table = { name: local.tableName, client };

/** A new, empty table with the project's definition on the same server. */
export async function freshTable(): Promise<Table> {
  const name = `t-${randomBytes(6).toString('hex')}`;
  await createTable(admin, name);
  return { name, client };
}
