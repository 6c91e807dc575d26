/**
 * The per-user token limit, held in the table so it holds across every instance (Lambda containers,
 * processes behind a balancer) and survives none of them being evicted: a fixed-window counter item
 * per caller and window (`rateWindow`, shared/table/keys.ts), bumped by one atomic UpdateItem ADD
 * that returns the new count. Windows are aligned to the epoch, so every instance agrees on where
 * one starts; an item expires through the table's TTL soon after its window ends. It implements
 * express-rate-limit's Store, so the middleware, its headers and its handler stay as they were.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Table } from '../../../../shared/table/client.js';
import { keys, ttlSeconds } from '../../../../shared/table/keys.js';
import { numberField, run } from '../../platform/table.js';

/** Windows are kept a little past their end, for whoever reads them late; TTL deletes them after. */
const KEEP_AFTER_WINDOW_MS = 60_000;

export class TableRateLimitStore implements Store {
  /** Counts live in the table, shared by every instance. */
  readonly localKeys = false;
  readonly prefix = 'tokens:';
  #windowMs: number;
  readonly #table: Table;
  readonly #now: () => number;

  constructor(options: { table: Table; windowMs: number; now: () => number }) {
    this.#table = options.table;
    this.#windowMs = options.windowMs;
    this.#now = options.now;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  /** Start and end of the window `at` falls in. */
  window(at = this.#now()): { start: number; end: number } {
    const start = Math.floor(at / this.#windowMs) * this.#windowMs;
    return { start, end: start + this.#windowMs };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    return this.#add(key, 1);
  }

  async decrement(key: string): Promise<void> {
    await this.#add(key, -1);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { start, end } = this.window();
    const output = await run(() =>
      this.#table.client.send(
        new GetCommand({
          TableName: this.#table.name,
          Key: keys.rateWindow(this.prefix + key, start),
          ConsistentRead: true,
        }),
      ),
    );
    const hits = output.Item ? numberField(output.Item, 'hits') : undefined;
    return hits === undefined ? undefined : { totalHits: hits, resetTime: new Date(end) };
  }

  async resetKey(key: string): Promise<void> {
    const { start } = this.window();
    await run(() =>
      this.#table.client.send(
        new DeleteCommand({ TableName: this.#table.name, Key: keys.rateWindow(this.prefix + key, start) }),
      ),
    );
  }

  async #add(key: string, delta: number): Promise<ClientRateLimitInfo> {
    const { start, end } = this.window();
    // One atomic write: concurrent requests on any instance each see their own count.
    const output = await run(() =>
      this.#table.client.send(
        new UpdateCommand({
          TableName: this.#table.name,
          Key: keys.rateWindow(this.prefix + key, start),
          UpdateExpression: 'ADD hits :delta SET #ttl = if_not_exists(#ttl, :ttl)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':delta': delta, ':ttl': ttlSeconds(end + KEEP_AFTER_WINDOW_MS) },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const hits = output.Attributes ? numberField(output.Attributes, 'hits') : undefined;
    return { totalHits: hits ?? 1, resetTime: new Date(end) };
  }
}
