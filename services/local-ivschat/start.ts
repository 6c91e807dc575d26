/**
 * `startEmulator`: the local IVS Chat emulator on one port — the control plane over HTTP and
 * messaging over the WebSocket upgrade of the same server. Used by `npm run emulator`, `npm start`,
 * the tests and the bench.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IVS_LIMITS } from '../../shared/ivs/limits.js';
import { createLogger, describeError, type Logger } from '../../shared/logger.js';
import { ChatLogSink } from './chat-log.js';
import { systemClock, type Clock } from './clock.js';
import { createControlPlane } from './control-plane.js';
import { FunctionHost } from './function-host.js';
import { isLoopbackHost } from '../../shared/loopback.js';
import { defaultFunctionMap, type FunctionMap } from './functions.js';
import { LogSubscriptionFeed, type LogSubscriptions } from './log-subscriptions.js';
import { Messaging } from './messaging.js';
import type { OperationContext } from './operations/context.js';
import { loadSnapshot, saveSnapshot } from './persistence.js';
import { Quotas, type QuotaOptions } from './quotas.js';
import { Store } from './store.js';
import { MAX_TOKENS, TOKEN_TTL_MS, TokenRegistry } from './tokens.js';

export type { FunctionMap, LocalFunction } from './functions.js';
export type { LogSubscriptions } from './log-subscriptions.js';
export type { Clock } from './clock.js';
export { ManualClock } from './clock.js';
export type { QuotaOptions, RatedOperation } from './quotas.js';
export { QUOTAS_OFF, QuotaConfigError, quotaOptionsFromEnv } from './quotas.js';

export interface EmulatorOptions {
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default us-east-1. */
  readonly region?: string;
  /** Default 123456789012. */
  readonly accountId?: string;
  /** Rooms, tags and logging configurations persist here, and chat logs are written here. */
  readonly dataDir?: string;
  /** Lambda ARN or function name → local function. Merged over the default (`message-review`). */
  readonly functions?: FunctionMap;
  /**
   * CloudWatch Logs subscription filters: log group name → Lambda ARN or function name. Chat log
   * records a room's logging configuration sends to that log group are delivered to the function in
   * batches, as the standard subscription event (how `npm start` feeds the chat-history function).
   */
  readonly logSubscriptions?: LogSubscriptions;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** How long a chat token may wait before it connects (capped at its session's end); default one hour. */
  readonly tokenTtlMs?: number;
  /** Tokens remembered at most (tokens.ts MAX_TOKENS); tests make it small. */
  readonly maxTokens?: number;
  /**
   * IVS Chat's API rate quotas and concurrent-connection quota (quotas.ts), on by default as in AWS.
   * `{ enabled: false }` (`EMULATOR_QUOTAS=off`) lifts them for tests and load tests about something
   * else; `{ maxConnections, rates }` changes them (tests make them small).
   */
  readonly quotas?: QuotaOptions;
  /** How often session expiry is checked; default 1 s. */
  readonly sweepIntervalMs?: number;
  /**
   * IVS waits 200 ms for a review and that is not adjustable (IVS Chat User Guide, chat message review handler): keep the default
   * except in tests that must not depend on a loaded machine's scheduling.
   */
  readonly reviewDeadlineMs?: number;
}

export interface Emulator {
  /** Control plane, e.g. http://127.0.0.1:4510 */
  readonly url: string;
  /** Messaging, e.g. ws://127.0.0.1:4510 */
  readonly wsUrl: string;
  readonly region: string;
  readonly accountId: string;
  /** Whether IVS's quotas are enforced, and the concurrent-connection quota (Infinity when off). */
  readonly quotas: { readonly enabled: boolean; readonly maxConnections: number };
  /** Resolves once every chat log record so far has reached its subscribed function (or was dropped). */
  flushLogSubscriptions(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const logger = options.logger ?? createLogger({ base: { service: 'local-ivschat' } });
  const clock = options.clock ?? systemClock;
  const { dataDir } = options;
  // A quota that cannot be enforced fails the start before anything listens.
  const quotas = new Quotas(options.quotas, clock);

  const store = new Store();
  if (dataDir !== undefined) {
    const snapshot = loadSnapshot(dataDir, logger);
    if (snapshot) store.restore(snapshot);
  }
  const reviewDeadlineMs = options.reviewDeadlineMs ?? IVS_LIMITS.reviewTimeoutMs;
  const functions = new FunctionHost({
    functions: { ...defaultFunctionMap(), ...options.functions },
    region,
    logger,
    reviewDeadlineMs,
  });
  const tokens = new TokenRegistry(options.tokenTtlMs ?? TOKEN_TTL_MS, options.maxTokens ?? MAX_TOKENS);
  const subscriptions = options.logSubscriptions ?? {};
  const feed =
    Object.keys(subscriptions).length === 0
      ? undefined
      : new LogSubscriptionFeed({ subscriptions, functions, region, accountId, logger });
  const chatLog = new ChatLogSink(dataDir, store, logger, feed);
  const messaging = new Messaging({
    quotas,
    store,
    tokens,
    functions,
    clock,
    logger,
    chatLog,
    reviewDeadlineMs,
  });
  const context: OperationContext = {
    store,
    messaging,
    tokens,
    functions,
    clock,
    region,
    accountId,
    quotas,
  };
  const persist = (): void => {
    if (dataDir === undefined) return;
    try {
      saveSnapshot(dataDir, store.snapshot());
    } catch (error) {
      logger.error('could not save the emulator state', describeError(error));
    }
  };
  const server = createServer(createControlPlane({ context, logger, onChange: persist }));
  server.on('upgrade', (request, socket, head) => {
    messaging.handleUpgrade(request, socket, head);
  });
  for (const room of store.rooms.values()) {
    if (room.messageReviewHandler && room.messageReviewHandler.uri !== '')
      functions.warm(room.messageReviewHandler.uri);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sweep = setInterval(() => {
    messaging.expireSessions();
    tokens.sweep(clock.now().getTime());
  }, options.sweepIntervalMs ?? 1000);
  sweep.unref();

  if (!isLoopbackHost(host)) {
    // SigV4 is not checked here (the SDK signs with dummy keys): whoever reaches the port can create
    // rooms, mint chat tokens and disconnect users.
    logger.warn(
      'the emulator is reachable beyond this machine and accepts unsigned requests; bind it to 127.0.0.1',
      {
        host,
      },
    );
  }
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reachable on loopback; URLs name an address a client can dial.
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const origin = reachable.includes(':') ? `[${reachable}]:${port}` : `${reachable}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${origin}`,
    wsUrl: `ws://${origin}`,
    region,
    accountId,
    quotas: { enabled: quotas.enabled, maxConnections: quotas.maxConnections },
    flushLogSubscriptions: async () => {
      await feed?.drain();
    },
    close: () => {
      closed ??= (async () => {
        clearInterval(sweep);
        messaging.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        // Records already logged still reach their function before its runtime goes.
        await feed?.close();
        await functions.close();
        await chatLog.close();
      })();
      return closed;
    },
  };
}
