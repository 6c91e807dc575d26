/**
 * Live logging configurations: every MESSAGE and EVENT delivered in a room that has logging
 * configurations is appended as one JSON line per destination under `<dataDir>/logs/`, so a developer
 * sees locally what IVS would deliver to S3, CloudWatch Logs or Firehose. A CloudWatch Logs
 * destination whose log group has a subscription (log-subscriptions.ts) also feeds its function, with
 * or without a data directory, under the room's log stream name (shared/ivs/chat-log.ts).
 *
 * The record is the one the AWS IVS Chat user guide documents ("IVS Chat Logging", message content):
 * exactly `event_timestamp` (when IVS received it, millisecond ISO), `type` (MESSAGE or EVENT),
 * `version` ("1.0") and `payload` (the frame clients received). It names no room: the log stream does.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { describeError, type Logger } from '../../shared/logger.js';
import type { EventFrame, MessageFrame } from './frames.js';
import type { DestinationConfiguration, Room, Store } from './store.js';
import { parseLoggingConfigurationArn } from '../../shared/ivs/arn.js';
import { CHAT_LOG_VERSION, chatLogStreamName } from '../../shared/ivs/chat-log.js';
import type { LogSubscriptionFeed } from './log-subscriptions.js';

/** One file per destination; names keep only safe characters. */
export function destinationFile(destination: DestinationConfiguration): string {
  const safe = (text: string): string => text.replace(/[^a-zA-Z0-9._-]/g, '_');
  if ('s3' in destination) return `s3-${safe(destination.s3.bucketName)}.jsonl`;
  if ('cloudWatchLogs' in destination)
    return `cloudwatch-${safe(destination.cloudWatchLogs.logGroupName)}.jsonl`;
  return `firehose-${safe(destination.firehose.deliveryStreamName)}.jsonl`;
}

export class ChatLogSink {
  readonly #dir: string | undefined;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #streams = new Map<string, WriteStream>();
  readonly #feed: LogSubscriptionFeed | undefined;

  constructor(dataDir: string | undefined, store: Store, logger: Logger, feed?: LogSubscriptionFeed) {
    this.#dir = dataDir === undefined ? undefined : join(dataDir, 'logs');
    this.#store = store;
    this.#logger = logger;
    this.#feed = feed;
  }

  record(room: Room, frame: MessageFrame | EventFrame): void {
    if (room.loggingConfigurationIdentifiers.length === 0) return;
    if (this.#dir === undefined && this.#feed === undefined) return;
    const receivedAt = Date.parse(frame.SendTime);
    const record = JSON.stringify({
      event_timestamp: new Date(receivedAt).toISOString(),
      type: frame.Type,
      version: CHAT_LOG_VERSION,
      payload: frame,
    });
    for (const identifier of room.loggingConfigurationIdentifiers) {
      const id = parseLoggingConfigurationArn(identifier)?.id;
      const config = id === undefined ? undefined : this.#store.loggingConfigurations.get(id);
      if (!config) continue;
      const destination = config.destinationConfiguration;
      if (this.#dir !== undefined) this.#stream(destinationFile(destination)).write(record + '\n');
      if (this.#feed && 'cloudWatchLogs' in destination) {
        this.#feed.deliver(
          destination.cloudWatchLogs.logGroupName,
          chatLogStreamName(room.id),
          record,
          receivedAt,
        );
      }
    }
  }

  #stream(file: string): WriteStream {
    const existing = this.#streams.get(file);
    if (existing) return existing;
    const dir = this.#dir ?? '.';
    mkdirSync(dir, { recursive: true });
    const stream = createWriteStream(join(dir, file), { flags: 'a' });
    stream.on('error', (error) => {
      this.#logger.error('chat log write failed', { file, ...describeError(error) });
    });
    this.#streams.set(file, stream);
    return stream;
  }

  async close(): Promise<void> {
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(
      streams.map(
        (stream) =>
          new Promise<void>((resolve) => {
            stream.end(resolve);
          }),
      ),
    );
  }
}
