/**
 * Live logging configurations: every MESSAGE and EVENT delivered in a room that has logging
 * configurations is appended as one JSON line per destination under `<dataDir>/logs/`, so a developer
 * sees locally what IVS would deliver to S3, CloudWatch Logs or Firehose. The record shape follows
 * IVS chat logging (event_timestamp, type, version, payload); its exact fields are **unconfirmed**.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { describeError, type Logger } from '../../shared/logger.js';
import type { EventFrame, MessageFrame } from './frames.js';
import type { DestinationConfiguration, Room, Store } from './store.js';
import { parseLoggingConfigurationArn } from '../../shared/ivs/arn.js';

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

  constructor(dataDir: string | undefined, store: Store, logger: Logger) {
    this.#dir = dataDir === undefined ? undefined : join(dataDir, 'logs');
    this.#store = store;
    this.#logger = logger;
  }

  record(room: Room, frame: MessageFrame | EventFrame): void {
    if (this.#dir === undefined || room.loggingConfigurationIdentifiers.length === 0) return;
    const line =
      JSON.stringify({
        event_timestamp: frame.SendTime,
        type: frame.Type,
        version: '1.0',
        room_arn: room.arn,
        payload: frame,
      }) + '\n';
    for (const identifier of room.loggingConfigurationIdentifiers) {
      const id = parseLoggingConfigurationArn(identifier)?.id;
      const config = id === undefined ? undefined : this.#store.loggingConfigurations.get(id);
      if (!config) continue;
      this.#stream(destinationFile(config.destinationConfiguration)).write(line);
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
