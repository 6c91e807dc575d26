/**
 * Subscription filters on the emulator's CloudWatch Logs destinations: what CloudWatch Logs does for a
 * log group with a Lambda subscription filter. Records written to a mapped log group are batched per
 * log stream and delivered to the local function as the standard subscription event
 * (`{"awslogs": {"data": base64(gzip(JSON))}}`, one log stream per payload), invoked asynchronously as
 * CloudWatch Logs invokes it: the chat never waits for it.
 *
 * Bounded on every side: a batch is sent at `batchSize` records or `flushMs` after its first record;
 * at most `maxQueued` records wait in all (beyond that new ones are dropped, counted and logged); one
 * invocation at a time per log stream keeps its order; a failed invocation is retried twice (as
 * Lambda retries an asynchronous invocation), then dropped and logged. A failing or missing function
 * never reaches messaging.
 */
import { gzipSync } from 'node:zlib';
import { isRecord } from '../../shared/json.js';
import { describeError, type Logger } from '../../shared/logger.js';
import type { FunctionHost } from './function-host.js';
import { parseLambdaArn } from './functions.js';

/** Log group name → the subscribed function (a Lambda ARN, or a function name in the function map). */
export type LogSubscriptions = Readonly<Record<string, string>>;

export interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

export interface SubscriptionPayload {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

/** The event CloudWatch Logs sends a subscribed Lambda function. */
export function encodeSubscriptionEvent(payload: SubscriptionPayload): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
}

export interface LogSubscriptionFeedOptions {
  readonly subscriptions: LogSubscriptions;
  readonly functions: FunctionHost;
  readonly region: string;
  readonly accountId: string;
  readonly logger: Logger;
  /** Records per invocation; default 100. */
  readonly batchSize?: number;
  /** Longest a record waits for its batch to fill; default 100 ms (CloudWatch Logs takes seconds). */
  readonly flushMs?: number;
  /** Records waiting across all streams before new ones are dropped; default 10,000. */
  readonly maxQueued?: number;
  /** How long one invocation may take; default 30 s. */
  readonly invokeTimeoutMs?: number;
  /** Pause before each retry of a failed invocation; default [200, 1000] ms (two retries). */
  readonly retryDelaysMs?: readonly number[];
}

interface StreamQueue {
  readonly key: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly uri: string;
  events: LogEvent[];
  timer: NodeJS.Timeout | undefined;
  /** The stream's invocations, one after another. */
  chain: Promise<void>;
  /** Batches handed to `chain` and not finished yet. */
  inFlight: number;
}

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export class LogSubscriptionFeed {
  readonly #options: LogSubscriptionFeedOptions;
  readonly #uris = new Map<string, string>();
  readonly #queues = new Map<string, StreamQueue>();
  readonly #batchSize: number;
  readonly #flushMs: number;
  readonly #maxQueued: number;
  #queued = 0;
  #nextEventId = 0n;
  #dropped = 0;
  #closed = false;

  constructor(options: LogSubscriptionFeedOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? 100;
    this.#flushMs = options.flushMs ?? 100;
    this.#maxQueued = options.maxQueued ?? 10_000;
    for (const [logGroup, target] of Object.entries(options.subscriptions)) {
      const uri = parseLambdaArn(target)
        ? target
        : `arn:aws:lambda:${options.region}:${options.accountId}:function:${target}`;
      this.#uris.set(logGroup, uri);
    }
  }

  /** Whether records written to this log group are delivered to a function. */
  subscribed(logGroup: string): boolean {
    return this.#uris.has(logGroup);
  }

  /** Records dropped because the queue was full or the function kept failing. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Log streams with records queued or being delivered. */
  get activeStreams(): number {
    return this.#queues.size;
  }

  /** Queues one log event; returns at once. */
  deliver(logGroup: string, logStream: string, message: string, timestamp: number): void {
    const uri = this.#uris.get(logGroup);
    if (uri === undefined || this.#closed) return;
    if (this.#queued >= this.#maxQueued) {
      this.#drop(1, 'queue full');
      return;
    }
    const key = `${logGroup}\n${logStream}`;
    let queue = this.#queues.get(key);
    if (!queue) {
      queue = {
        key,
        logGroup,
        logStream,
        uri,
        events: [],
        timer: undefined,
        chain: Promise.resolve(),
        inFlight: 0,
      };
      this.#queues.set(key, queue);
    }
    // CloudWatch Logs event ids are long decimal strings, unique per event.
    this.#nextEventId++;
    queue.events.push({ id: this.#nextEventId.toString().padStart(56, '0'), timestamp, message });
    this.#queued++;
    if (queue.events.length >= this.#batchSize) this.#flush(queue);
    else if (!queue.timer) {
      const pending = queue;
      queue.timer = setTimeout(() => {
        this.#flush(pending);
      }, this.#flushMs);
      queue.timer.unref();
    }
  }

  #drop(count: number, reason: string): void {
    this.#dropped += count;
    this.#options.logger.warn('chat log records dropped before delivery', { count, reason });
  }

  #flush(queue: StreamQueue): void {
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = undefined;
    while (queue.events.length > 0) {
      const events = queue.events.splice(0, this.#batchSize);
      const event = encodeSubscriptionEvent({
        messageType: 'DATA_MESSAGE',
        owner: this.#options.accountId,
        logGroup: queue.logGroup,
        logStream: queue.logStream,
        subscriptionFilters: [`local-${queue.logGroup}`],
        logEvents: events,
      });
      queue.inFlight++;
      queue.chain = queue.chain.then(async () => {
        try {
          await this.#invoke(queue.uri, event, events.length);
        } finally {
          this.#queued -= events.length;
          queue.inFlight--;
          // A stream with nothing left goes, so rooms that fell silent do not accumulate.
          if (queue.inFlight === 0 && queue.events.length === 0 && !queue.timer)
            this.#queues.delete(queue.key);
        }
      });
    }
  }

  async #invoke(uri: string, event: unknown, count: number): Promise<void> {
    const { functions, logger } = this.#options;
    const retries = this.#options.retryDelaysMs ?? [200, 1000];
    for (let attempt = 0; ; attempt++) {
      const outcome = await functions.invoke(uri, event, this.#options.invokeTimeoutMs ?? 30_000);
      if (outcome.ok) return;
      const wait = retries[attempt];
      if (outcome.problem === 'not-found' || wait === undefined || this.#closed) {
        logger.error('log subscription delivery failed', {
          problem: outcome.problem,
          detail: outcome.detail,
          attempts: attempt + 1,
        });
        this.#drop(count, outcome.problem);
        return;
      }
      logger.warn('log subscription delivery failed, retrying', {
        problem: outcome.problem,
        detail: outcome.detail,
      });
      await delay(wait);
    }
  }

  /** Sends what is queued and waits for it (at most `timeoutMs`); later records are not delivered. */
  async close(timeoutMs = 5000): Promise<void> {
    for (const queue of this.#queues.values()) this.#flush(queue);
    this.#closed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      await Promise.race([
        Promise.all([...this.#queues.values()].map((queue) => queue.chain)).then(() => undefined),
        deadline,
      ]);
    } catch (error) {
      this.#options.logger.error('log subscription close failed', describeError(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until every record queued so far was delivered (or dropped). Tests and the bench use it. */
  async drain(): Promise<void> {
    for (const queue of this.#queues.values()) this.#flush(queue);
    await Promise.all([...this.#queues.values()].map((queue) => queue.chain));
  }
}

/** Parses `EMULATOR_LOG_SUBSCRIPTIONS`: JSON of log group name → function ARN or name. Fails fast. */
export function parseLogSubscriptions(text: string | undefined): LogSubscriptions {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      'EMULATOR_LOG_SUBSCRIPTIONS must be JSON: {"<log group name>": "<function ARN or name>"}',
    );
  }
  if (!isRecord(parsed)) throw new Error('EMULATOR_LOG_SUBSCRIPTIONS must be a JSON object');
  const map: Record<string, string> = {};
  for (const [group, target] of Object.entries(parsed)) {
    if (typeof target !== 'string' || target === '')
      throw new Error(`EMULATOR_LOG_SUBSCRIPTIONS["${group}"] must name a function`);
    map[group] = target;
  }
  return map;
}
