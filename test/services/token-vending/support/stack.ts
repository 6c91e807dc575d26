/**
 * The service as it runs, on real sockets: the IVS Chat emulator, dynalite with the table, a JWKS
 * server standing in for the app's identity provider, and the token service started from its
 * environment (startTokenService) — or several, all on the same table and emulator.
 */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { createLogger } from '../../../../shared/logger.js';
import { createTableClient, type Table } from '../../../../shared/table/client.js';
import { QUOTAS_OFF, startEmulator, type Emulator } from '../../../../services/local-ivschat/start.js';
import { startLocalTable, type LocalTable } from '../../../../services/local-dynamodb/start.js';
import { startTokenService, type RunningService } from '../../../../services/token-vending/entry/start.js';
import { AUDIENCE, ISSUER, newRsaKey, signToken, startJwksServer, type JwksServer } from './jwks-server.js';

export interface ServiceStack {
  readonly emulator: Emulator;
  readonly localTable: LocalTable;
  readonly table: Table;
  readonly ivs: IvschatClient;
  readonly jwks: JwksServer;
  /** The service's base URL. */
  readonly url: string;
  /** The environment the service was started with (to start more instances on the same state). */
  readonly env: Readonly<Record<string, string>>;
  jwt(userId: string, roles?: readonly string[], claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

const key = newRsaKey('stack-key');

export async function startServiceStack(extraEnv: Record<string, string> = {}): Promise<ServiceStack> {
  const emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
    // These tests are about the service (rooms.test.ts makes 120 rooms), not IVS's 5 TPS room quota.
    quotas: QUOTAS_OFF,
  });
  const localTable = await startLocalTable();
  const jwks = await startJwksServer([key]);
  const env: Record<string, string> = {
    CHAT_BACKEND: 'local',
    AWS_REGION: 'us-east-1',
    EMULATOR_PORT: new URL(emulator.url).port,
    AWS_ENDPOINT_URL_DYNAMODB: localTable.endpoint,
    CHAT_TABLE: localTable.tableName,
    AUTH_JWKS_URI: jwks.jwksUri,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    RATE_LIMIT_MAX: '0',
    IVS_MAX_ATTEMPTS: '1',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  let service: RunningService;
  try {
    service = await startTokenService({
      env,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ level: 'silent' }),
    });
  } catch (error) {
    await Promise.all([emulator.close(), localTable.close(), jwks.close()]);
    throw error;
  }
  const table: Table = {
    name: localTable.tableName,
    client: createTableClient({ endpoint: localTable.endpoint, region: 'us-east-1', dummyCredentials: true }),
  };
  const ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    emulator,
    localTable,
    table,
    ivs,
    jwks,
    url: service.url,
    env,
    jwt: (userId, roles = [], claims = {}) => signToken(key, { sub: userId, roles, name: userId, ...claims }),
    close: async () => {
      await service.close();
      ivs.destroy();
      table.client.destroy();
      await Promise.all([emulator.close(), localTable.close(), jwks.close()]);
    },
  };
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** One HTTP call to the service: JSON in and out, the app JWT as a bearer token. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { jwt?: string; body?: unknown } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body };
}
