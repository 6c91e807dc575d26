/**
 * Lambda entry of the access sweeper, invoked every minute by an EventBridge schedule (locally by the
 * local stack's scheduler). Within one invocation it sweeps every SWEEP_INTERVAL_SECONDS while the
 * invocation has time left, so a reconnect with an older token stays open one interval at most.
 * Reserved concurrency 1 in the template: one sweeper at a time, and its DisconnectUser pace holds.
 *
 * Environment: CHAT_TABLE (required), SWEEP_INTERVAL_SECONDS (1–30, default 10),
 * REVOCATION_DISCONNECT_TPS (1–90, default 20), ORPHAN_ROOM_MINUTES (default 10), LOG_LEVEL; the
 * standard AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_IVSCHAT point the SDKs elsewhere.
 */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { isRecord } from '../../shared/json.js';
import { createLogger } from '../../shared/logger.js';
import { createTableClient } from '../../shared/table/client.js';
import { loadConfig } from './config.js';
import { createSweep, type SweepSummary } from './sweep.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, base: { service: 'access-sweeper' } });
if (config.problems.length > 0) {
  logger.error('access sweeper configuration is invalid: every invocation fails', {
    problems: config.problems,
  });
}

// Built once per container, reused by every invocation.
const table = {
  name: config.tableName,
  client: createTableClient({ region: process.env.AWS_REGION, maxAttempts: 3, requestTimeoutMs: 3000 }),
};
const ivs = new IvschatClient({ maxAttempts: 3 });
const sweeper = createSweep({
  table,
  ivs,
  logger,
  now: Date.now,
  disconnectTps: config.disconnectTps,
  orphanAgeMinutes: config.orphanAgeMinutes,
  stackTag: config.stackTag,
});

/** Time kept in hand after the last sweep (the function's timeout must not cut one short). */
const MARGIN_MS = 5000;

function remainingMs(context: unknown): number {
  if (!isRecord(context) || typeof context.getRemainingTimeInMillis !== 'function') return 0;
  const value: unknown = Reflect.apply(context.getRemainingTimeInMillis, context, []);
  return typeof value === 'number' ? value : 0;
}

export async function handler(
  _event: unknown,
  context?: unknown,
): Promise<{ sweeps: number; last: SweepSummary }> {
  if (config.problems.length > 0) throw new Error(`configuration: ${config.problems.join('; ')}`);
  const intervalMs = config.intervalSeconds * 1000;
  let sweeps = 0;
  let last: SweepSummary;
  for (;;) {
    const started = Date.now();
    // Orphaned rooms once per invocation: ListRooms shares the 5 TPS of room operations.
    last = await sweeper.sweep({ orphans: sweeps === 0 });
    sweeps++;
    logger.info('access sweep', { ...last, Sweeps: 1, Disconnected: last.disconnected, Failed: last.failed });
    const wait = intervalMs - (Date.now() - started);
    if (remainingMs(context) < Math.max(wait, 0) + MARGIN_MS + intervalMs) break;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { sweeps, last };
}
