/**
 * `startLocalTable`: dynalite (DynamoDB's API on Node) on loopback, with the project's table created
 * when it is missing. In memory by default; with `dataDir` the data is kept on disk (LevelDB) across
 * restarts. Used by `npm start`, the tests and the benches: the service talks to it through the same
 * @aws-sdk/client-dynamodb code path as to DynamoDB. dynalite has no transactions, streams or TTL
 * deletion, which the design does not rely on.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableDefinition } from '../../shared/table/schema.js';

export const LOCAL_TABLE_NAME = 'ivs-chat-local';

export interface LocalTableOptions {
  /** Default 0 (ephemeral). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Keep the data here (a LevelDB folder); in memory when unset. */
  readonly dataDir?: string;
  readonly tableName?: string;
  readonly region?: string;
}

export interface LocalTable {
  /** e.g. http://127.0.0.1:4511 — what AWS_ENDPOINT_URL_DYNAMODB is set to. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly region: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}

/**
 * dynalite answers any web origin (`Access-Control-Allow-Origin: *`, even to a request with a fake
 * signature): any page open while the local stack runs could read private history and write bans.
 * The AWS SDKs send no `Origin`; a browser always does on a cross-site request. So a request that
 * carries one is refused before dynalite sees it, as the emulator's control plane does.
 */
function refuseBrowsers(server: Server): void {
  const listeners = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin !== undefined) {
      res.writeHead(403, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-ErrorType': 'AccessDeniedException',
      });
      res.end(
        JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: 'The local table does not accept requests from browsers (Origin is set)',
        }),
      );
      req.resume();
      return;
    }
    for (const listener of listeners) Reflect.apply(listener, server, [req, res]);
  });
}

/** Creates the table unless it exists; dynalite is told to make tables ACTIVE at once. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
  }
  await createTable(client, tableName);
}

/** Creates a table with the project's definition (dynalite makes it ACTIVE at once). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const definition = tableDefinition(tableName);
  await client.send(
    new CreateTableCommand({
      ...definition,
      AttributeDefinitions: [...definition.AttributeDefinitions],
      KeySchema: [...definition.KeySchema],
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes.map((index) => ({
        ...index,
        KeySchema: [...index.KeySchema],
      })),
    }),
  );
}

export async function startLocalTable(options: LocalTableOptions = {}): Promise<LocalTable> {
  const host = options.host ?? '127.0.0.1';
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const region = options.region ?? 'us-east-1';
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
  });
  refuseBrowsers(server);
  const port = await listen(server, options.port ?? 0, host);
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    await close(server);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, region, close: () => close(server) };
}
