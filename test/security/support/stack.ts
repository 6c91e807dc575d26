/**
 * The one place the security tests (issue 19, "Findings to close") build their world, so the
 * integrator restructuring the token service adapts them here and nowhere else.
 *
 * What runs is the local stack as `npm start` runs it (scripts/start.ts startLocalStack), quiet and
 * on free ports: dynalite with the table, the IVS Chat emulator running the built review and history
 * bundles (`npm run build`), and the token service in local mode with dev login. The tests speak to it
 * as an attacker or a frontend would: HTTP to the token service and to dynalite, raw WebSocket frames
 * to the emulator (the messaging API as AWS documents it), and, where a record must be fed to the
 * history function, the function's Lambda entry invoked in a worker of its own with the environment
 * the local stack gives it. Table items are found with shared/table/keys.ts, the one place keys are
 * built.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { isRecord } from '../../../shared/json.js';
import { createLogger } from '../../../shared/logger.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';
import { chatLogStreamName } from '../../../shared/ivs/chat-log.js';
import { PROJECT_ROOT } from '../../../services/local-ivschat/functions.js';
import { startLocalStack, type LocalStack } from '../../../scripts/start.js';
import {
  CHAT_HISTORY_BUNDLE,
  CHAT_HISTORY_FUNCTION,
  LOCAL_CHAT_LOG_GROUP,
  localHistory,
} from '../../../scripts/local-history.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../../support/review-budget.js';

/** Bounds of every wait in these tests: generous, for a machine shared with other work. */
export const WAIT = {
  /** One HTTP call or one chat answer. */
  answerMs: 10_000,
  /** Contract v3: a removed or banned user's reconnection with an older token lasts at most this. */
  revocationMs: 30_000,
  /** Contract v2: an app-wide ban disconnects the user from every room within 5 s (doubled for load). */
  appBanDisconnectMs: 10_000,
  /** History is fed asynchronously (batched every 100 ms locally): how long to wait for a marker. */
  historyMs: 15_000,
} as const;

export interface SecurityStackOptions {
  /**
   * How often the stack re-disconnects users whose access was taken away while tokens issued before
   * the change are still valid (contract v3, "Access ends when it is taken away").
   *
   * INTEGRATOR: passed to the local stack as the environment variable REVOCATION_SWEEP_SECONDS; wire
   * it (or change this one line to the option you choose). Today nothing reads it.
   */
  readonly revocationSweepSeconds?: number;
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** A signed-in user of the app (a dev-login JWT), speaking to the token service. */
export interface User {
  readonly userId: string;
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** POST /v1/chat-tokens for the room; `sessionDurationInMinutes` only when given. */
  chatToken(roomArn: string, sessionDurationInMinutes?: number): Promise<ApiAnswer>;
}

export interface SecurityStack {
  /** The token service's base URL. */
  readonly url: string;
  /** The messaging endpoint (ws://). */
  readonly messagingUrl: string;
  /** dynalite's endpoint. */
  readonly tableEndpoint: string;
  /** The chat table, for tests that must reach past the API (a half-failed create, a stray record). */
  readonly table: Table;
  /** A user with these app roles (e.g. `['admin']`); logs in through the dev login once per roles. */
  user(userId: string, roles?: readonly string[]): User;
  /** A room made through the API by `owner`; answers its id and ARN. */
  createRoom(owner: User, privacy: 'public' | 'private', name?: string): Promise<{ id: string; arn: string }>;
  /** Invokes the chat-history function's Lambda entry with a CloudWatch Logs subscription event. */
  invokeHistoryFunction(event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** The value at a path inside parsed JSON, or undefined. */
export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, step);
  }
  return current;
}

/** An answer in one line, for assertion messages (a chat token, a bearer credential, left out). */
export function describeAnswer(answer: ApiAnswer): string {
  const body = isRecord(answer.body) && 'token' in answer.body ? { ...answer.body, token: '…' } : answer.body;
  return `${answer.status} ${JSON.stringify(body)}`;
}

async function callService(
  baseUrl: string,
  method: string,
  path: string,
  options: { jwt?: string; body?: unknown },
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    signal: AbortSignal.timeout(WAIT.answerMs),
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

/** The bundles the emulator runs: without them reviews fall back to ALLOW and history stays empty. */
const BUNDLES = ['dist/message-review/index.js', CHAT_HISTORY_BUNDLE] as const;

export async function startSecurityStack(options: SecurityStackOptions = {}): Promise<SecurityStack> {
  // A missing build would make these tests fail for the wrong reason: say so instead.
  const missing = BUNDLES.filter((bundle) => !existsSync(join(PROJECT_ROOT, bundle)));
  if (missing.length > 0) throw new Error(`run npm run build first: ${missing.join(', ')} missing`);
  const env: Record<string, string> = {
    CHAT_BACKEND: 'local',
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_MAX: '0',
    // The review function's table reads share a busy machine: a budget that allows for load
    // (review-budget.ts), under the emulator's 5 s below, so a fallback does not deliver what these
    // tests expect refused.
    REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
    ...(options.revocationSweepSeconds === undefined
      ? {}
      : { REVOCATION_SWEEP_SECONDS: String(options.revocationSweepSeconds) }),
  };
  const stack: LocalStack = await startLocalStack({
    env,
    port: 0,
    emulatorPort: 0,
    dynamodbPort: 0,
    logger: createLogger({ level: 'silent' }),
    // The real bundles answer in a few ms; a generous deadline keeps a loaded machine from flaking.
    reviewDeadlineMs: 5000,
  });
  const { tableEndpoint, tableName, emulator } = stack;
  if (tableEndpoint === undefined || tableName === undefined || emulator === undefined) {
    await stack.close();
    throw new Error('the local stack started without its table or emulator');
  }
  const table: Table = {
    name: tableName,
    client: createTableClient({ endpoint: tableEndpoint, region: 'us-east-1', dummyCredentials: true }),
  };
  const url = stack.tokenServiceUrl;
  const jwts = new Map<string, Promise<string>>();
  const jwtOf = (userId: string, roles: readonly string[]): Promise<string> => {
    const key = JSON.stringify([userId, roles]);
    let known = jwts.get(key);
    if (known === undefined) {
      known = callService(url, 'POST', '/v1/dev/login', { body: { userId, roles } }).then((res) => {
        const idToken = at(res.body, 'idToken');
        if (res.status !== 200 || typeof idToken !== 'string') {
          throw new Error(`dev login refused for a test user: ${describeAnswer(res)}`);
        }
        return idToken;
      });
      jwts.set(key, known);
    }
    return known;
  };
  const user = (userId: string, roles: readonly string[] = []): User => ({
    userId,
    call: async (method, path, body) =>
      callService(url, method, path, { jwt: await jwtOf(userId, roles), body }),
    chatToken: async (roomArn, sessionDurationInMinutes) =>
      callService(url, 'POST', '/v1/chat-tokens', {
        jwt: await jwtOf(userId, roles),
        body: {
          roomIdentifier: roomArn,
          ...(sessionDurationInMinutes === undefined ? {} : { sessionDurationInMinutes }),
        },
      }),
  });
  // The history function as the local stack defines it (module and environment), so whatever the
  // stack gives it (the table today, more after the fix) it has here too.
  const history = localHistory({ tableName, endpoint: tableEndpoint, env }).functions[CHAT_HISTORY_FUNCTION];
  return {
    url,
    messagingUrl: emulator.wsUrl,
    tableEndpoint,
    table,
    user,
    createRoom: async (owner, privacy, name = `security-${privacy}`) => {
      const res = await owner.call('POST', '/v1/rooms', { name, privacy });
      const id = at(res.body, 'id');
      const arn = at(res.body, 'arn');
      if (res.status !== 201 || typeof id !== 'string' || typeof arn !== 'string') {
        throw new Error(`room not created: ${describeAnswer(res)}`);
      }
      return { id, arn };
    },
    invokeHistoryFunction: (event) =>
      invokeInWorker(join(PROJECT_ROOT, history?.module ?? CHAT_HISTORY_BUNDLE), history?.env ?? {}, event),
    close: async () => {
      table.client.destroy();
      await stack.close();
    },
  };
}

/**
 * Runs a Lambda entry once in a worker thread with its own environment (as Lambda gives a function
 * its own runtime): the module reads its configuration at load, exactly as deployed.
 */
function invokeInWorker(modulePath: string, env: Readonly<Record<string, string>>, event: unknown) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { pathToFileURL } = require('node:url');
    import(pathToFileURL(workerData.modulePath).href)
      .then((mod) => mod.handler(workerData.event, { awsRequestId: 'security-test' }))
      .then(
        (result) => parentPort.postMessage({ ok: true, result: JSON.parse(JSON.stringify(result ?? null)) }),
        (error) => parentPort.postMessage({ ok: false, error: String(error && error.message || error) }),
      );
  `;
  return new Promise<unknown>((resolve, reject) => {
    const worker = new Worker(code, {
      eval: true,
      env: { AWS_REGION: 'us-east-1', ...env },
      workerData: { modulePath, event },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the function did not answer within ${WAIT.answerMs} ms`));
    }, WAIT.answerMs);
    worker.once('message', (message: unknown) => {
      clearTimeout(timer);
      void worker.terminate();
      if (at(message, 'ok') === true) resolve(at(message, 'result'));
      else reject(new Error(`the function failed: ${String(at(message, 'error'))}`));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A CloudWatch Logs subscription event carrying chat log records of one room, as the rooms' logging
 * configuration and the subscription filter deliver them (`{"awslogs": {"data": base64(gzip(JSON))}}`).
 */
export function chatLogSubscriptionEvent(
  roomId: string,
  records: readonly Record<string, unknown>[],
): { awslogs: { data: string } } {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: LOCAL_CHAT_LOG_GROUP,
    logStream: chatLogStreamName(roomId),
    subscriptionFilters: ['security-test'],
    logEvents: records.map((record, index) => ({
      id: `${Date.now()}${index}`,
      timestamp: Date.now(),
      message: JSON.stringify(record),
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
}

/** A chat log MESSAGE record as IVS Chat logging writes it, sent now. */
export function chatLogMessageRecord(
  messageId: string,
  userId: string,
  content: string,
): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    event_timestamp: now,
    type: 'MESSAGE',
    version: '1.0',
    payload: {
      Type: 'MESSAGE',
      Id: messageId,
      RequestId: randomUUID(),
      Attributes: {},
      Content: content,
      SendTime: now,
      Sender: { UserId: userId, Attributes: { displayName: userId, role: 'member' } },
    },
  };
}

/** A frame the messaging endpoint sent, parsed (frames are JSON objects). */
export type Frame = Record<string, unknown>;

/**
 * One raw WebSocket connection to the messaging endpoint with a given chat token (the token is the
 * subprotocol, as the messaging API specifies). Every frame is kept; `closed` resolves with the
 * time the connection ended, whether it was refused or closed later.
 */
export interface ChatConnection {
  readonly frames: readonly Frame[];
  /** Resolves true once open, false if the connection was refused or failed first. */
  readonly opened: Promise<boolean>;
  /** Resolves with Date.now() when the connection ended. */
  readonly closed: Promise<number>;
  isClosed(): boolean;
  /**
   * SEND_MESSAGE, then the server's answer to it: the MESSAGE carrying its RequestId (delivered) or
   * the ERROR (refused). Resolves undefined if the connection closed before any answer.
   */
  sendMessage(content: string): Promise<Frame | undefined>;
  /** The first frame (already received or still to come) that matches, or undefined after `timeoutMs`. */
  waitForFrame(match: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame | undefined>;
  close(): void;
}

export function openChat(messagingUrl: string, token: string): ChatConnection {
  const frames: Frame[] = [];
  const listeners = new Set<(frame: Frame) => void>();
  const socket = new WebSocket(messagingUrl, token);
  let closedFlag = false;
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      closedFlag = true;
      resolve(Date.now());
    });
  });
  const opened = new Promise<boolean>((resolve) => {
    socket.once('open', () => {
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
    void closed.then(() => {
      resolve(false);
    });
  });
  socket.on('error', () => undefined);
  socket.on('message', (data: Buffer) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    if (!isRecord(parsed)) return;
    frames.push(parsed);
    for (const listener of listeners) listener(parsed);
  });
  const waitForFrame = (match: (frame: Frame) => boolean, timeoutMs: number): Promise<Frame | undefined> => {
    const seen = frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (frame: Frame): void => {
        if (!match(frame)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        resolve(undefined);
      }, timeoutMs);
      listeners.add(listener);
    });
  };
  return {
    frames,
    opened,
    closed,
    isClosed: () => closedFlag,
    waitForFrame,
    sendMessage: async (content) => {
      if (!(await opened) || closedFlag) return undefined;
      const requestId = randomUUID();
      socket.send(JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: requestId, Content: content }));
      const answer = waitForFrame(
        (frame) => frame.RequestId === requestId && (frame.Type === 'MESSAGE' || frame.Type === 'ERROR'),
        WAIT.answerMs,
      );
      const ended = closed.then(() => undefined);
      return Promise.race([answer, ended]);
    },
    close: () => {
      socket.close();
    },
  };
}

/**
 * Whether the connection ends within `ms` (already ended counts). The bound's timer is cleared once
 * the connection ends: left running, it kept the test process alive for up to `ms` after its last test.
 */
export async function closedWithin(connection: ChatConnection, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([connection.closed.then(() => true as const), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** An open connection for a token the test expects to work (fails the test if refused). */
export async function openChatOrFail(messagingUrl: string, token: string): Promise<ChatConnection> {
  const connection = openChat(messagingUrl, token);
  if (!(await connection.opened)) throw new Error('the messaging endpoint refused a valid chat token');
  return connection;
}

/** A plain HTTP request with exactly the headers given (fetch will not send a forged Host). */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const target = new URL(options.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: options.method,
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(options.body)) }),
        },
        timeout: WAIT.answerMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
