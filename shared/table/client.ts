/**
 * The DynamoDB document client for the table, built once per process or container. In AWS the SDK
 * resolves region, credentials and endpoint itself (honouring the standard AWS_ENDPOINT_URL_DYNAMODB);
 * locally it is pointed at dynalite with dummy credentials (dynalite checks that a signature is
 * present, not what it is).
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withDeadline } from '../aws/deadline.js';

export interface TableClientOptions {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly dummyCredentials?: boolean;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
  /** Overall cap on one call, retries and backoff included (default 2000 ms). */
  readonly deadlineMs?: number;
}

export interface Table {
  readonly name: string;
  readonly client: DynamoDBDocumentClient;
}

export function createTableClient(options: TableClientOptions = {}): DynamoDBDocumentClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const base = new DynamoDBClient({
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: options.maxAttempts ?? 2,
    // (cacheMiddleware, which the IVS client uses, is refused by the document client.)
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 2000,
      throwOnRequestTimeout: true,
      httpAgent: new Agent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
  const client = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // Per-attempt timeouts alone let retries outlast a Lambda's timeout: one deadline per call.
  return withDeadline(client, options.deadlineMs ?? 2000);
}
