/**
 * With a data directory, rooms, logging configurations and tags survive a restart: a JSON snapshot
 * written after every change (atomically: temporary file, then rename) and read back, checked
 * field by field, at start. Without one, everything stays in memory.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLoggingConfigurationArn, parseRoomArn } from '../../shared/ivs/arn.js';
import { FALLBACK_RESULTS } from '../../shared/ivs/limits.js';
import type { DestinationConfiguration, LoggingConfiguration, Room, StoreSnapshot } from './store.js';
import { isRecord } from '../../shared/json.js';
import type { Logger } from '../../shared/logger.js';

const FILE = 'state.json';

export function saveSnapshot(dataDir: string, snapshot: StoreSnapshot): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, JSON.stringify({ version: 1, ...snapshot }, null, 2));
  renameSync(`${path}.tmp`, path);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} must be a string`);
  return value;
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${what} must be an integer`);
  return value;
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (!isRecord(value)) throw new Error(`${what} must be an object`);
  // fromEntries defines own properties, so even a key named `__proto__` stays an ordinary entry.
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key, text(entry, `${what} values`)] as const),
  );
}

function parseRoom(value: unknown): Room {
  if (!isRecord(value)) throw new Error('room must be an object');
  const handler = value.messageReviewHandler;
  let messageReviewHandler: Room['messageReviewHandler'];
  if (isRecord(handler)) {
    const fallbackResult = FALLBACK_RESULTS.find((result) => result === handler.fallbackResult) ?? 'ALLOW';
    messageReviewHandler = { uri: text(handler.uri, 'room.messageReviewHandler.uri'), fallbackResult };
  }
  const logging = Array.isArray(value.loggingConfigurationIdentifiers)
    ? value.loggingConfigurationIdentifiers
    : [];
  // Rooms are found by the id in their ARN: an entry whose two disagree could never be reached.
  if (parseRoomArn(value.arn)?.id !== value.id) throw new Error('room.arn must be the ARN of room.id');
  return {
    id: text(value.id, 'room.id'),
    arn: text(value.arn, 'room.arn'),
    name: text(value.name, 'room.name'),
    createTime: text(value.createTime, 'room.createTime'),
    updateTime: text(value.updateTime, 'room.updateTime'),
    maximumMessageRatePerSecond: integer(
      value.maximumMessageRatePerSecond,
      'room.maximumMessageRatePerSecond',
    ),
    maximumMessageLength: integer(value.maximumMessageLength, 'room.maximumMessageLength'),
    ...(messageReviewHandler ? { messageReviewHandler } : {}),
    loggingConfigurationIdentifiers: logging.map((entry) =>
      text(entry, 'room.loggingConfigurationIdentifiers[]'),
    ),
  };
}

function parseDestination(value: unknown): DestinationConfiguration {
  if (!isRecord(value)) throw new Error('destinationConfiguration must be an object');
  if (isRecord(value.s3)) return { s3: { bucketName: text(value.s3.bucketName, 's3.bucketName') } };
  if (isRecord(value.cloudWatchLogs)) {
    return {
      cloudWatchLogs: {
        logGroupName: text(value.cloudWatchLogs.logGroupName, 'cloudWatchLogs.logGroupName'),
      },
    };
  }
  if (isRecord(value.firehose)) {
    return {
      firehose: {
        deliveryStreamName: text(value.firehose.deliveryStreamName, 'firehose.deliveryStreamName'),
      },
    };
  }
  throw new Error('destinationConfiguration names no destination');
}

function parseLoggingConfiguration(value: unknown): LoggingConfiguration {
  if (!isRecord(value)) throw new Error('logging configuration must be an object');
  if (parseLoggingConfigurationArn(value.arn)?.id !== value.id) {
    throw new Error('loggingConfiguration.arn must be the ARN of loggingConfiguration.id');
  }
  return {
    id: text(value.id, 'loggingConfiguration.id'),
    arn: text(value.arn, 'loggingConfiguration.arn'),
    name: text(value.name, 'loggingConfiguration.name'),
    createTime: text(value.createTime, 'loggingConfiguration.createTime'),
    updateTime: text(value.updateTime, 'loggingConfiguration.updateTime'),
    destinationConfiguration: parseDestination(value.destinationConfiguration),
  };
}

/** Parses each entry on its own: a bad one is skipped and named in the log, the rest still load. */
function parseEach<I, T>(entries: readonly I[], what: string, parse: (value: I) => T, logger: Logger): T[] {
  const parsed: T[] = [];
  for (const [index, entry] of entries.entries()) {
    try {
      parsed.push(parse(entry));
    } catch (error) {
      // The position and the field at fault only: saved entries hold client-chosen text.
      logger.warn('skipped a damaged entry of the saved emulator state', {
        entry: `${what}[${index}]`,
        problem: error instanceof Error ? error.message : 'unreadable',
      });
    }
  }
  return parsed;
}

/**
 * The saved snapshot, or undefined when there is none yet. A damaged save never stops the start:
 * a bad entry is skipped and logged, and a file that is not a snapshot at all is moved aside (so
 * the next save cannot overwrite what a developer may want to look at) and the emulator starts empty.
 */
export function loadSnapshot(dataDir: string, logger: Logger): StoreSnapshot | undefined {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    value = undefined;
  }
  if (!isRecord(value) || !Array.isArray(value.rooms) || !Array.isArray(value.loggingConfigurations)) {
    const aside = `${path}.damaged`;
    renameSync(path, aside);
    logger.error('the saved emulator state is not a snapshot this emulator wrote; starting empty', {
      movedTo: aside,
    });
    return undefined;
  }
  const tags = isRecord(value.tags)
    ? Object.fromEntries(
        parseEach(
          Object.entries(value.tags),
          'tags',
          ([arn, map]) => [arn, stringMap(map, 'tags')] as const,
          logger,
        ),
      )
    : {};
  return {
    rooms: parseEach(value.rooms, 'rooms', parseRoom, logger),
    loggingConfigurations: parseEach(
      value.loggingConfigurations,
      'loggingConfigurations',
      parseLoggingConfiguration,
      logger,
    ),
    tags,
  };
}
