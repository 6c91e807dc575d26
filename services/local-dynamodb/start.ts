/**
 * `startLocalTable`: dynalite (DynamoDB's API on Node) on loopback, in a process of its own, with the
 * project's table created when it is missing. In memory by default; with `dataDir` the data is kept on disk (LevelDB) across
 * restarts. Used by `npm start`, the tests and the benches: the service talks to it through the same
 * @aws-sdk/client-dynamodb code path as to DynamoDB. dynalite has no transactions, streams or TTL
 * deletion, which the design does not rely on.
 */
import { mkdirSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { isRecord } from '../../shared/json.js';
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

const TABLE_PROCESS = fileURLToPath(new URL('./table-process.mjs', import.meta.url));

/** How long dynalite may take to start listening (a loaded machine included). */
const START_TIMEOUT_MS = 30_000;

/** How long the table process may take to close before it is killed. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Forks dynalite's own process (table-process.mjs, which says why) and resolves with its port. The
 * process is unreferenced: it never keeps its parent alive, and it closes when its parent goes.
 */
function forkTable(options: { host: string; port: number; dataDir?: string }): Promise<{
  child: ChildProcess;
  port: number;
}> {
  return new Promise((resolve, reject) => {
    const child = fork(TABLE_PROCESS, [JSON.stringify(options)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => {
      fail(new Error(`the local table did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      fail(
        new Error(`the local table's process ended before it listened (${signal ?? `exit ${String(code)}`})`),
      );
    });
    child.on('message', (message: unknown) => {
      if (!isRecord(message)) return;
      if (message.type === 'error') {
        fail(new Error(`the local table could not listen: ${String(message.message)}`));
      } else if (message.type === 'listening' && typeof message.port === 'number') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.unref();
        child.channel?.unref();
        resolve({ child, port: message.port });
      }
    });
  });
}

/** Asks the table process to close and waits for it to end (killing it if it does not). */
function closeTable(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'close' });
    else child.kill('SIGKILL');
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

/**
 * Creates a table with the project's definition and waits until it is ACTIVE. dynalite is told to
 * make tables ACTIVE at once, but does so on a timer after it answers: a request that reached its
 * process first (a loaded machine) found no table (ResourceNotFoundException).
 */
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
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
}

export async function startLocalTable(options: LocalTableOptions = {}): Promise<LocalTable> {
  const host = options.host ?? '127.0.0.1';
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const region = options.region ?? 'us-east-1';
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const { child, port } = await forkTable({
    host,
    port: options.port ?? 0,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
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
    await closeTable(child);
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, region, close: () => closeTable(child) };
}
