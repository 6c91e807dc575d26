/**
 * The chat-history handler, built from its configuration and what it talks to (table, logger,
 * clock), so the Lambda entry, the tests, the emulator and the bench run the same code.
 *
 * It never throws on a bad record: an event that is not a subscription event, a log event that is
 * not a chat log record, or a record that is not a well-formed MESSAGE or EVENT is logged (its
 * problem, never its text or user id), skipped and counted. It does throw when the table refuses a
 * write (after finishing the rest of the batch): CloudWatch Logs invokes asynchronously, so Lambda
 * retries the whole batch, which the idempotent writes make harmless.
 */
import { metricFields } from '../../shared/metrics.js';
import { describeError, type Logger } from '../../shared/logger.js';
import type { Table } from '../../shared/table/client.js';
import { ttlSeconds } from '../../shared/table/keys.js';
import type { HistoryConfig } from './config.js';
import { roomIdOfLogStream } from '../../shared/ivs/chat-log.js';
import { parseChatLogRecord } from './records.js';
import { deleteMessage, roomDeleted, storeMessage } from './store.js';
import { decodeSubscriptionEvent, type LogEvent } from './subscription.js';

export interface BatchSummary {
  /** Log events in the batch. */
  readonly records: number;
  readonly written: number;
  /** MESSAGE records already stored (redelivery). */
  readonly duplicates: number;
  /** DELETE records applied, and MESSAGE records whose DELETE had come first. */
  readonly deleted: number;
  /** MESSAGE records older than the retention: not kept. */
  readonly expired: number;
  /** Events with nothing to keep (other event names, control messages). */
  readonly ignored: number;
  /** Malformed records, logged and skipped. */
  readonly skipped: number;
  /** Records the table refused (the batch then fails, to be retried). */
  readonly failed: number;
  /** Records for a room that was deleted: dropped (deleted means gone). */
  readonly dropped: number;
}

export type HistoryHandler = (event: unknown, context?: unknown) => Promise<BatchSummary>;

export interface HistoryDependencies {
  readonly config: HistoryConfig;
  readonly table: Table;
  readonly logger: Logger;
  /** Epoch milliseconds; injected so tests can place records at the retention edge. */
  readonly now?: () => number;
  /** Records written at once; the batch's DELETE/MESSAGE races are safe in any order (store.ts). */
  readonly concurrency?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_CONCURRENCY = 16;
/** Skipped records logged one by one per batch; the rest only in the batch's count. */
const MAX_SKIP_LINES = 20;

export class HistoryBatchError extends Error {
  override readonly name = 'HistoryBatchError';
  readonly code: 'configuration' | 'table-write-failed';
  constructor(code: 'configuration' | 'table-write-failed', message: string) {
    super(message);
    this.code = code;
  }
}

function requestIdOf(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null || !('awsRequestId' in context)) return undefined;
  return typeof context.awsRequestId === 'string' ? context.awsRequestId : undefined;
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function createHistoryHandler(dependencies: HistoryDependencies): HistoryHandler {
  const { config, table, logger } = dependencies;
  const now = dependencies.now ?? Date.now;
  const concurrency = dependencies.concurrency ?? DEFAULT_CONCURRENCY;
  const retentionMs = config.retentionDays * DAY_MS;

  return async function handler(event: unknown, context?: unknown): Promise<BatchSummary> {
    const requestId = requestIdOf(context);
    const log = logger.child(requestId === undefined ? {} : { requestId });
    if (config.problems.length > 0) {
      log.error('chat history configuration is invalid', { problems: config.problems });
      throw new HistoryBatchError('configuration', `configuration: ${config.problems.join('; ')}`);
    }
    const counts = {
      records: 0,
      written: 0,
      duplicates: 0,
      deleted: 0,
      expired: 0,
      ignored: 0,
      skipped: 0,
      failed: 0,
      dropped: 0,
    };
    const skip = (problem: string, fields: Record<string, unknown> = {}): void => {
      counts.skipped++;
      // A batch of garbage must not become thousands of log lines: the batch line counts them all.
      if (counts.skipped <= MAX_SKIP_LINES) log.warn('chat log record skipped', { problem, ...fields });
    };

    const decoded = decodeSubscriptionEvent(event);
    if (!decoded.ok) {
      skip(decoded.problem);
    } else if (decoded.value.messageType === 'CONTROL_MESSAGE') {
      counts.ignored++;
    } else {
      const batch = decoded.value;
      counts.records = batch.logEvents.length + batch.malformedEvents;
      for (let i = 0; i < batch.malformedEvents; i++) skip('log event is not {id, timestamp, message}');
      const roomId = roomIdOfLogStream(batch.logStream);
      if (roomId === undefined) {
        // Not a room's chat log stream: nothing in it can be placed in a room's history.
        for (let i = 0; i < batch.logEvents.length; i++) skip('log stream is not a room chat log');
      } else if (
        await roomDeleted(table, roomId).catch((error: unknown) => {
          // Unknown whether the room still exists: the batch fails, to be retried (nothing was written).
          counts.failed += batch.logEvents.length;
          log.error('chat history could not read the room tombstone', describeError(error));
          return true;
        })
      ) {
        // A batch is one room's log stream: records still in flight for a deleted room are dropped.
        if (counts.failed === 0) counts.dropped += batch.logEvents.length;
      } else {
        await eachLimited(batch.logEvents, concurrency, async (logEvent: LogEvent) => {
          const parsed = parseChatLogRecord(logEvent.message);
          if (!parsed.ok) {
            skip(parsed.problem, { logEventId: logEvent.id });
            return;
          }
          const record = parsed.value;
          try {
            if (record.kind === 'other') {
              counts.ignored++;
            } else if (record.kind === 'delete') {
              // Never earlier than now: the tombstone must outlast every copy of the message.
              const ttl = ttlSeconds(Math.max(record.timeMs, now()) + retentionMs);
              await deleteMessage(table, roomId, record.messageId, ttl);
              counts.deleted++;
            } else if (record.sendTimeMs + retentionMs <= now()) {
              counts.expired++;
            } else {
              const outcome = await storeMessage(
                table,
                roomId,
                record.message,
                ttlSeconds(record.sendTimeMs + retentionMs),
              );
              if (outcome === 'written') counts.written++;
              else if (outcome === 'duplicate') counts.duplicates++;
              else if (outcome === 'room-deleted') counts.dropped++;
              else counts.deleted++;
            }
          } catch (error) {
            counts.failed++;
            log.error('chat history write failed', { logEventId: logEvent.id, ...describeError(error) });
          }
        });
      }
    }

    try {
      // One line per batch that is also a CloudWatch embedded-metric record (as the review Lambda does).
      log.info('chat history batch', {
        ...counts,
        ...metricFields(
          'IvsChatHistory',
          {
            Written: counts.written,
            Deleted: counts.deleted,
            Skipped: counts.skipped,
            Failed: counts.failed,
          },
          { at: now() },
        ),
      });
    } catch {
      // A failing log sink must not fail a batch that was stored.
    }
    if (counts.failed > 0) {
      throw new HistoryBatchError(
        'table-write-failed',
        `${counts.failed} chat log records could not be stored`,
      );
    }
    return counts;
  };
}
