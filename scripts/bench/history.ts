/**
 * `npm run bench:history`: chat history on a real dynalite table, in one run.
 *
 * - Read: `listMessages` (limit 50, what the page loads on connect), newest page and a page deep in
 *   the history, on a room holding 1,000 messages, each beside its bare comparator: the same work
 *   written straight on the SDK (one Query of the index for the same 51 items, one strongly
 *   consistent BatchGetItem of the same 51 tombstone keys), without parsing, expiry checks or paging
 *   logic. Interleaved, so both see the same machine load. Goal (issue 21): p99 at most 1.3x.
 * - Write: the chat-history handler on a 1,000-record batch (the CloudWatch Logs subscription event
 *   it receives in AWS), beside bare PutItems of the same 1,000 items at the same concurrency: the
 *   handler's conditional put plus its consistent tombstone read are two round trips per message.
 *
 * dynalite is a Node process on this machine, not DynamoDB: the absolute figures measure it; the
 * comparison with the bare operation in the same run is what carries over.
 */
import { cpus, loadavg } from 'node:os';
import { BatchGetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../../shared/logger.js';
import { createTableClient, type Table } from '../../shared/table/client.js';
import { keys, ttlSeconds } from '../../shared/table/keys.js';
import { messageItem, parseHistorySortKey } from '../../shared/table/messages.js';
import { TABLE_KEYS } from '../../shared/table/schema.js';
import { chatLogStreamName } from '../../shared/ivs/chat-log.js';
import { startLocalTable } from '../../services/local-dynamodb/start.js';
import { encodeSubscriptionEvent } from '../../services/local-ivschat/log-subscriptions.js';
import { listMessages } from '../../services/token-vending/features/messages/store.js';
import { loadConfig } from '../../lambdas/chat-history/config.js';
import { createHistoryHandler } from '../../lambdas/chat-history/history-handler.js';
import { percentile } from './stats.js';

const STORED = 1_000;
const READS = 500;
const WARMUP = 50;
const WRITE_RUNS = 3;
const CONCURRENCY = 16;
const CAP_MS = 30_000;
const PAGE = 50;
/** The service's p99 for a page may be at most this multiple of the bare comparator's (issue 21). */
const P99_GOAL = 1.3;

/**
 * The page's table work with nothing around it: the index Query for limit + 1 items (one more tells
 * whether an older page exists, as the store asks), then the same items' tombstones in one strongly
 * consistent BatchGetItem. Answers how many items the Query found.
 */
async function barePage(table: Table, room: string, cursor: string | undefined): Promise<number> {
  const from = cursor === undefined ? undefined : parseHistorySortKey(cursor);
  const page = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1.partition },
      ExpressionAttributeValues: { ':pk': keys.history(room) },
      ScanIndexForward: false,
      Limit: PAGE + 1,
      ...(from === undefined
        ? {}
        : {
            ExclusiveStartKey: {
              ...keys.message(room, from.messageId),
              gsi1pk: keys.history(room),
              gsi1sk: from.sortKey,
            },
          }),
    }),
  );
  const items = page.Items ?? [];
  const ids = items.flatMap((item) => (typeof item.id === 'string' ? [item.id] : []));
  await table.client.send(
    new BatchGetCommand({
      RequestItems: {
        [table.name]: {
          Keys: ids.map((id) => ({ ...keys.deletedMessage(room, id) })),
          ConsistentRead: true,
          ProjectionExpression: 'sk',
        },
      },
    }),
  );
  return ids.length;
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function roomId(n: number): string {
  return `BenchRoom${String(n).padStart(3, '0')}`;
}

function record(index: number, baseMs: number): { id: string; text: string; sendTime: string } {
  const id = `m${String(index).padStart(11, '0')}`;
  const sendTime = new Date(baseMs + index * 10).toISOString();
  const text = JSON.stringify({
    event_timestamp: sendTime,
    type: 'MESSAGE',
    version: '1.0',
    payload: {
      Type: 'MESSAGE',
      Id: id,
      RequestId: '',
      Attributes: { lang: 'en' },
      Content: `message number ${index} with some ordinary chat text in it`,
      SendTime: sendTime,
      Sender: { UserId: `user-${index % 37}`, Attributes: { displayName: `User ${index % 37}` } },
    },
  });
  return { id, text, sendTime };
}

function batchEvent(room: string, baseMs: number): unknown {
  return encodeSubscriptionEvent({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/vendedlogs/ivschat/bench',
    logStream: chatLogStreamName(room),
    subscriptionFilters: ['bench'],
    logEvents: Array.from({ length: STORED }, (_, i) => {
      const { text } = record(i, baseMs);
      return { id: String(i).padStart(56, '0'), timestamp: baseMs + i * 10, message: text };
    }),
  });
}

async function barePuts(table: Table, room: string, baseMs: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < STORED) {
      const index = next++;
      const { id, sendTime } = record(index, baseMs);
      const item = messageItem({
        roomId: room,
        id,
        content: `message number ${index} with some ordinary chat text in it`,
        sendTime,
        sender: { userId: `user-${index % 37}`, attributes: { displayName: `User ${index % 37}` } },
        attributes: { lang: 'en' },
        ttl: ttlSeconds(baseMs + 86_400_000),
      });
      await table.client.send(new PutCommand({ TableName: table.name, Item: item }));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main(): Promise<void> {
  const began = performance.now();
  console.log(`machine: ${cpus().length} CPUs, load average ${load()} (1/5/15 min)`);
  const local = await startLocalTable();
  const client = createTableClient({
    endpoint: local.endpoint,
    region: local.region,
    dummyCredentials: true,
  });
  const table: Table = { name: local.tableName, client };
  const handler = createHistoryHandler({
    config: loadConfig({ CHAT_TABLE: table.name }),
    table,
    logger: createLogger({ level: 'silent' }),
    concurrency: CONCURRENCY,
  });
  try {
    // ---- writes: the handler's batch beside bare puts, alternating, fresh rooms each time
    const baseMs = Date.now() - 60_000;
    const handlerMs: number[] = [];
    const bareMs: number[] = [];
    let room = 0;
    for (let run = 0; run < WRITE_RUNS; run++) {
      const event = batchEvent(roomId(++room), baseMs);
      let started = performance.now();
      const summary = await handler(event);
      handlerMs.push(performance.now() - started);
      if (summary.written !== STORED) throw new Error(`the handler wrote ${summary.written} of ${STORED}`);
      started = performance.now();
      await barePuts(table, roomId(++room), baseMs);
      bareMs.push(performance.now() - started);
    }
    const perSecond = (ms: number[]): number =>
      STORED /
      (percentile(
        [...ms].sort((a, b) => a - b),
        0.5,
      ) /
        1000);

    // ---- reads on the first room (1,000 messages written by the handler)
    const readRoom = roomId(1);
    const deep = await (async () => {
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++)
        cursor = (await listMessages(table, readRoom, { limit: 50, cursor })).next;
      return cursor;
    })();
    const samples = {
      newest: [] as number[],
      bareNewest: [] as number[],
      deep: [] as number[],
      bareDeep: [] as number[],
    };
    const timed = async <T>(into: number[], warm: boolean, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await work();
      if (!warm) into.push(performance.now() - started);
      return result;
    };
    const readDeadline = performance.now() + CAP_MS;
    for (let i = 0; i < WARMUP + READS && performance.now() < readDeadline; i++) {
      const warm = i < WARMUP;
      // The order alternates, so neither side always runs right after the other.
      const pairs: (() => Promise<void>)[] = [
        async () => {
          const newest = await timed(samples.newest, warm, () =>
            listMessages(table, readRoom, { limit: PAGE }),
          );
          if (newest.messages.length !== PAGE) throw new Error('a history page came back short');
        },
        async () => {
          const found = await timed(samples.bareNewest, warm, () => barePage(table, readRoom, undefined));
          if (found !== PAGE + 1) throw new Error('the bare Query came back short');
        },
        async () => {
          await timed(samples.deep, warm, () => listMessages(table, readRoom, { limit: PAGE, cursor: deep }));
        },
        async () => {
          await timed(samples.bareDeep, warm, () => barePage(table, readRoom, deep));
        },
      ];
      const order = i % 2 === 0 ? [0, 1, 2, 3] : [1, 0, 3, 2];
      for (const index of order) await pairs[index]?.();
    }

    const p = (values: number[], q: number): number =>
      percentile(
        [...values].sort((a, b) => a - b),
        q,
      );
    console.log(
      `\nhistory read on a room of ${STORED} messages, ${samples.newest.length} interleaved reads each (ms)`,
    );
    console.log(`${'operation'.padEnd(58)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}`);
    for (const [name, values] of [
      ['listMessages limit 50, newest page', samples.newest],
      ['  bare Query of the same 51 + tombstone BatchGet', samples.bareNewest],
      ['listMessages limit 50, 11th page (cursor)', samples.deep],
      ['  bare Query of the same 51 + tombstone BatchGet', samples.bareDeep],
    ] as const) {
      console.log(
        `${name.padEnd(58)} ${fmt(p(values, 0.5)).padStart(8)} ${fmt(p(values, 0.99)).padStart(8)}`,
      );
    }
    for (const [name, service, bare] of [
      ['newest page', samples.newest, samples.bareNewest],
      ['11th page', samples.deep, samples.bareDeep],
    ] as const) {
      const ratio = p(service, 0.99) / p(bare, 0.99);
      console.log(
        `${name}: p99 ${fmt(ratio)}x the bare comparator's, p50 ${fmt(p(service, 0.5) / p(bare, 0.5))}x (goal p99 <= ${P99_GOAL}x: ${ratio <= P99_GOAL ? 'met' : 'NOT met'})`,
      );
    }

    console.log(
      `\nwrites of a ${STORED}-record batch, median of ${WRITE_RUNS} runs, concurrency ${CONCURRENCY}`,
    );
    console.log(`${'operation'.padEnd(44)} ${'ms'.padStart(8)} ${'records/s'.padStart(10)}`);
    for (const [name, values] of [
      ['chat-history handler (put + tombstone read)', handlerMs],
      ['bare PutItem of the same items', bareMs],
    ] as const) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(
        `${name.padEnd(44)} ${fmt(percentile(sorted, 0.5), 0).padStart(8)} ${fmt(perSecond(values), 0).padStart(10)}`,
      );
    }
    console.log(
      `\nbench took ${fmt((performance.now() - began) / 1000, 1)} s; load average at the end ${load()}`,
    );
  } finally {
    client.destroy();
    await local.close();
  }
}

await main();
