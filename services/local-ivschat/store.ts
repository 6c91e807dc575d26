/**
 * The emulator's resources: rooms, logging configurations and their tags, keyed by id. Holds state
 * only; the operations decide what is valid. `onChange` lets persistence snapshot after each mutation.
 */
import type { FallbackResult } from '../../shared/ivs/limits.js';

export interface MessageReviewHandler {
  /** A Lambda function ARN; the empty string means no handler. */
  readonly uri: string;
  readonly fallbackResult: FallbackResult;
}

export interface Room {
  readonly id: string;
  readonly arn: string;
  name: string;
  readonly createTime: string;
  updateTime: string;
  maximumMessageRatePerSecond: number;
  maximumMessageLength: number;
  messageReviewHandler?: MessageReviewHandler;
  loggingConfigurationIdentifiers: string[];
}

export type DestinationConfiguration =
  | { readonly s3: { readonly bucketName: string } }
  | { readonly cloudWatchLogs: { readonly logGroupName: string } }
  | { readonly firehose: { readonly deliveryStreamName: string } };

export interface LoggingConfiguration {
  readonly id: string;
  readonly arn: string;
  name: string;
  readonly createTime: string;
  updateTime: string;
  destinationConfiguration: DestinationConfiguration;
}

export interface StoreSnapshot {
  readonly rooms: readonly Room[];
  readonly loggingConfigurations: readonly LoggingConfiguration[];
  readonly tags: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export class Store {
  readonly rooms = new Map<string, Room>();
  readonly loggingConfigurations = new Map<string, LoggingConfiguration>();
  /** Tags by resource ARN. */
  readonly tags = new Map<string, Record<string, string>>();
  onChange: () => void = () => undefined;

  tagsOf(arn: string): Record<string, string> {
    return { ...this.tags.get(arn) };
  }

  setTags(arn: string, tags: Record<string, string>): void {
    if (Object.keys(tags).length === 0) this.tags.delete(arn);
    else this.tags.set(arn, tags);
  }

  snapshot(): StoreSnapshot {
    return {
      rooms: [...this.rooms.values()],
      loggingConfigurations: [...this.loggingConfigurations.values()],
      tags: Object.fromEntries(this.tags),
    };
  }

  restore(snapshot: StoreSnapshot): void {
    this.rooms.clear();
    this.loggingConfigurations.clear();
    this.tags.clear();
    for (const room of snapshot.rooms) this.rooms.set(room.id, structuredClone(room));
    for (const config of snapshot.loggingConfigurations) {
      this.loggingConfigurations.set(config.id, structuredClone(config));
    }
    for (const [arn, tags] of Object.entries(snapshot.tags)) this.tags.set(arn, { ...tags });
  }
}
