/**
 * The event CloudWatch Logs sends a subscription filter's Lambda: `{"awslogs": {"data": <base64 of
 * gzip of JSON>}}`, the JSON being `{messageType, owner, logGroup, logStream, subscriptionFilters,
 * logEvents: [{id, timestamp, message}]}` (CloudWatch Logs user guide, "Using subscription filters
 * with Lambda"). One payload holds events of one log stream. `CONTROL_MESSAGE` payloads only check
 * that the destination is reachable and carry nothing to store.
 */
import { gunzipSync } from 'node:zlib';
import { isRecord } from '../../shared/json.js';

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface SubscriptionBatch {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly logGroup: string;
  readonly logStream: string;
  /** Entries that are not `{id, timestamp, message}` are counted here, not returned. */
  readonly malformedEvents: number;
  readonly logEvents: readonly LogEvent[];
}

export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A gzip bomb must not take the function's memory: real payloads are at most about 1 MB unzipped. */
const MAX_UNZIPPED_BYTES = 8 * 1024 * 1024;

export function decodeSubscriptionEvent(event: unknown): Decoded<SubscriptionBatch> {
  if (!isRecord(event) || !isRecord(event.awslogs) || typeof event.awslogs.data !== 'string') {
    return { ok: false, problem: 'not a CloudWatch Logs subscription event (no awslogs.data)' };
  }
  let json: unknown;
  try {
    const zipped = Buffer.from(event.awslogs.data, 'base64');
    json = JSON.parse(gunzipSync(zipped, { maxOutputLength: MAX_UNZIPPED_BYTES }).toString('utf8'));
  } catch {
    return { ok: false, problem: 'awslogs.data is not base64 gzip JSON' };
  }
  if (!isRecord(json)) return { ok: false, problem: 'awslogs.data is not a JSON object' };
  const { messageType, logGroup, logStream, logEvents } = json;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    return { ok: false, problem: 'messageType is not DATA_MESSAGE or CONTROL_MESSAGE' };
  }
  if (typeof logGroup !== 'string' || typeof logStream !== 'string' || !Array.isArray(logEvents)) {
    return { ok: false, problem: 'logGroup, logStream or logEvents missing' };
  }
  const parsed: LogEvent[] = [];
  let malformedEvents = 0;
  for (const entry of logEvents) {
    if (
      isRecord(entry) &&
      typeof entry.id === 'string' &&
      typeof entry.timestamp === 'number' &&
      typeof entry.message === 'string'
    ) {
      parsed.push({ id: entry.id, timestamp: entry.timestamp, message: entry.message });
    } else {
      malformedEvents++;
    }
  }
  return { ok: true, value: { messageType, logGroup, logStream, malformedEvents, logEvents: parsed } };
}
