/**
 * The real local stack for the resilience suite: the IVS Chat emulator, dynalite with the table, a
 * JWKS endpoint, fault proxies in front of the emulator and of dynalite, and the token service
 * (startTokenService, as `npm start` runs it) pointed at the proxies. Plus a bounded load helper and
 * the printing every suite does: what it did, and what held.
 */
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { createLogger } from '../../../shared/logger.js';
import { QUOTAS_OFF, startEmulator, type Emulator } from '../../../services/local-ivschat/start.js';
import { startLocalTable, type LocalTable } from '../../../services/local-dynamodb/start.js';
import { startTokenService, type RunningService } from '../../../services/token-vending/entry/start.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  type TestKey,
} from '../../services/token-vending/support/jwks-server.js';
import { startFaultyJwks, type FaultyJwks } from '../../services/token-vending/support/faulty-jwks.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

export const LONG = process.env.RESILIENCE_LONG === '1';

export interface ResilienceStack {
  readonly emulator: Emulator;
  readonly table: LocalTable;
  readonly jwks: FaultyJwks;
  readonly ivsProxy: FaultProxy;
  readonly tableProxy: FaultProxy;
  readonly service: RunningService;
  readonly env: Readonly<Record<string, string>>;
  readonly roomArn: string;
  readonly key: TestKey;
  jwt(userId: string, key?: TestKey): string;
  close(): Promise<void>;
}

export async function startResilienceStack(extraEnv: Record<string, string> = {}): Promise<ResilienceStack> {
  const silent = createLogger({ level: 'silent' });
  // Load here is about the service's resilience; on a fast machine it would pass IVS's 200 TPS.
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', logger: silent, quotas: QUOTAS_OFF });
  const table = await startLocalTable();
  const key = newRsaKey('resilience-1');
  const jwks = await startFaultyJwks([key]);
  const ivsProxy = await startFaultProxy(emulator.url, 'ivs');
  const tableProxy = await startFaultProxy(table.endpoint, 'dynamodb');
  const env: Record<string, string> = {
    CHAT_BACKEND: 'local',
    AWS_REGION: 'us-east-1',
    EMULATOR_PORT: String(ivsProxy.port),
    AWS_ENDPOINT_URL_DYNAMODB: tableProxy.url,
    CHAT_TABLE: table.tableName,
    AUTH_JWKS_URI: jwks.jwksUri,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    RATE_LIMIT_MAX: '0',
    // As the emulator's quotas are off: these suites are about faults, not IVS's token rate, and
    // admission's 503 upstream_busy would read as the service struggling.
    TOKEN_ADMISSION_TPS: 'off',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  const service = await startTokenService({ env, port: 0, host: '127.0.0.1', logger: silent });
  const ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const room = await ivs.send(new CreateRoomCommand({ name: 'resilience' }));
  ivs.destroy();
  const jwt = (userId: string, signer: TestKey = key): string =>
    signToken(signer, { sub: userId, roles: [] });
  await warmUp(service.url, jwt('warm-up'), room.arn ?? '');
  return {
    emulator,
    table,
    jwks,
    ivsProxy,
    tableProxy,
    service,
    env,
    roomArn: room.arn ?? '',
    key,
    jwt,
    close: async () => {
      await service.close();
      await Promise.all([ivsProxy.close(), tableProxy.close(), jwks.close()]);
      await Promise.all([emulator.close(), table.close()]);
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly ms: number;
  /** The problem's `code`, when the answer is one. */
  readonly code?: string;
  /** Set when no HTTP answer came (reset, refused). */
  readonly error?: string;
}

/** POST /v1/chat-tokens, timed from the client's side. */
export async function tokenRequest(baseUrl: string, jwt: string, roomArn: string): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/v1/chat-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roomIdentifier: roomArn }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let code: unknown;
    try {
      const parsed: unknown = JSON.parse(text);
      code = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'code') : undefined;
    } catch {
      code = undefined;
    }
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      ms: performance.now() - started,
      ...(typeof code === 'string' ? { code } : {}),
    };
  } catch (error) {
    return {
      status: 0,
      retryAfter: null,
      ms: performance.now() - started,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/**
 * Warms a freshly started service with rounds of `concurrency` token requests at once, until a round
 * is all 200 (at most 5 rounds; not asserted). A process's first requests on a loaded machine (V8's
 * first compiles, the SDK's first connections to the table and IVS) can run past the 2 s table
 * deadline; the suites test what a warm service does under faults and at SIGTERM (allows for load).
 */
export async function warmUp(baseUrl: string, jwt: string, roomArn: string, concurrency = 8): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const answers = await bounded(concurrency, concurrency, () => tokenRequest(baseUrl, jwt, roomArn));
    if (answers.every((answer) => answer.status === 200)) return;
  }
}

/** `count` calls of `one`, at most `concurrency` at a time. */
export async function bounded<T>(
  count: number,
  concurrency: number,
  one: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await one(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** "503×20 (Retry-After 2) 200×3" */
export function tally(answers: readonly Answer[]): string {
  const groups = new Map<string, number>();
  for (const answer of answers) {
    const label =
      answer.status === 0
        ? `no answer (${answer.error ?? '?'})`
        : `${answer.status}${answer.code === undefined ? '' : ` ${answer.code}`}${answer.retryAfter === null ? '' : ` (Retry-After ${answer.retryAfter})`}`;
    groups.set(label, (groups.get(label) ?? 0) + 1);
  }
  return [...groups].map(([label, count]) => `${count}× ${label}`).join(', ');
}

export function slowest(answers: readonly Answer[]): number {
  return Math.max(...answers.map((answer) => answer.ms));
}

/** Printed by every suite: what it did and what held. */
export function report(title: string, lines: readonly string[]): void {
  console.log([`[resilience] ${title}`, ...lines.map((line) => `    ${line}`)].join('\n'));
}
