/**
 * The whole review handler with its table calls (the sender's standing read, and the room modes'
 * writes) against dynalite on this machine, beside the same handler without a table on the same
 * messages, in the same run: what a message costs end to end once the pure policy is done, against
 * IVS's 200 ms. dynalite is a local stand-in (LevelDB in this process's neighbour), not DynamoDB: its
 * round trip is a floor, not a forecast; the bare BatchGetItem row shows what the table alone costs.
 *
 * Rows, each on MESSAGES messages after a warm-up, one message at a time (as one Lambda instance
 * reviews them):
 * - no table: the bundle without CHAT_TABLE (rules only);
 * - room without modes: the standing read (one strongly consistent BatchGetItem);
 * - slow mode: the read and the conditional UpdateItem (a new sender each message, so each passes);
 * - held for review: the read and the held message's PutItem (each message holds a hold term);
 * - bare BatchGetItem of the same six keys, through the SDK (the table alone).
 * Answers are checked: a message answered by the fallback (budget exhausted on a loaded machine) is
 * counted and printed, never silently timed as a decision.
 */
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalTable } from '../../services/local-dynamodb/start.js';
import {
  MODES_OFF,
  putRoomIfAbsent,
  type RoomRecord,
} from '../../services/token-vending/features/rooms/store.js';
import { createTableClient } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { isRecord } from '../../shared/json.js';
import { lambdaContext, loadBuiltHandler } from '../invoke-review.js';
import { percentile } from './stats.js';

const MESSAGES = 2_000;
const WARMUP = 200;
const HELD_REASON = 'Your message is waiting for a moderator.';

interface TableRow {
  readonly name: string;
  readonly median: number;
  readonly p99: number;
  readonly max: number;
  /** Answers other than the expected decision (the fallback, mostly). */
  readonly unexpected: number;
}

function summary(name: string, times: Float64Array, unexpected: number): TableRow {
  const sorted = times.slice().sort();
  return {
    name,
    median: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    unexpected,
  };
}

/** Times `run(index)` per message in ms; `expected` checks each answer. */
async function timed(
  name: string,
  run: (index: number) => Promise<unknown>,
  expected: (answer: unknown) => boolean,
): Promise<TableRow> {
  for (let index = 0; index < WARMUP; index++) await run(-1 - index);
  const times = new Float64Array(MESSAGES);
  let unexpected = 0;
  for (let index = 0; index < MESSAGES; index++) {
    const start = process.hrtime.bigint();
    const answer = await run(index);
    times[index] = Number(process.hrtime.bigint() - start) / 1e6;
    if (!expected(answer)) unexpected++;
  }
  return summary(name, times, unexpected);
}

const result = (answer: unknown): unknown => (isRecord(answer) ? answer.ReviewResult : undefined);
const reason = (answer: unknown): unknown =>
  isRecord(answer) && isRecord(answer.Attributes) ? answer.Attributes.Reason : undefined;

export async function tableBench(bundle: string): Promise<string[]> {
  const local = await startLocalTable();
  const table = {
    name: local.tableName,
    client: createTableClient({ endpoint: local.endpoint, region: 'us-east-1', dummyCredentials: true }),
  };
  const bare = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  // The bundle's client reads its endpoint, region and credentials from the environment when it first
  // sends, after loadBuiltHandler has restored it: set here for the rest of the process.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  try {
    const room = async (id: string, modes: Partial<RoomRecord['modes']>): Promise<string> => {
      const arn = `arn:aws:ivschat:us-east-1:123456789012:room/${id}`;
      await putRoomIfAbsent(table, {
        id,
        arn,
        name: id,
        privacy: 'public',
        createTime: '2026-11-30T11:00:00.000Z',
        updateTime: '2026-11-30T11:00:00.000Z',
        maximumMessageLength: 500,
        maximumMessageRatePerSecond: 10,
        messageReviewHandler: undefined,
        tags: {},
        ownerId: 'owner-1',
        modes: { ...MODES_OFF, ...modes },
        pinned: undefined,
      });
      return arn;
    };
    const plainRoom = await room('benchPlain01', {});
    const slowRoom = await room('benchSlow001', { slowModeSeconds: 3600 });
    const heldRoom = await room('benchHeld001', { holdForReview: true });

    const env = { REVIEW_POLICY: JSON.stringify({ holdTerms: ['spoiler'] }), LOG_LEVEL: 'silent' };
    const withoutTable = loadBuiltHandler(bundle, { ...env, CHAT_TABLE: undefined });
    const withTable = loadBuiltHandler(bundle, { ...env, CHAT_TABLE: local.tableName });
    const context = lambdaContext('message-review', 60 * 60 * 1000);
    const event = (roomArn: string, text: string, userId: string): Record<string, unknown> => ({
      Content: text,
      MessageId: 'abcDEF123456',
      RoomArn: roomArn,
      Attributes: {},
      Sender: { UserId: userId, Attributes: { role: 'user' }, Ip: '203.0.113.9' },
    });
    const plainText = (index: number): string => `message number ${index} about the match tonight`;
    const allowed = (answer: unknown): boolean => result(answer) === 'ALLOW';
    // The priming calls the bundle makes at load: let them finish before anything is timed.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const rows = [
      await timed(
        'no table (rules only)',
        (i) => withoutTable(event(plainRoom, plainText(i), 'bob'), context),
        allowed,
      ),
      await timed(
        'room without modes: standing read',
        (i) => withTable(event(plainRoom, plainText(i), 'bob'), context),
        allowed,
      ),
      await timed(
        'slow mode: read + conditional UpdateItem',
        (i) => withTable(event(slowRoom, plainText(i), `sender-${i}`), context),
        allowed,
      ),
      await timed(
        'held for review: read + PutItem',
        (i) => withTable(event(heldRoom, `a spoiler number ${i}`, 'bob'), context),
        (answer) => reason(answer) === HELD_REASON,
      ),
    ];
    const standingKeys = [
      keys.room('benchPlain01'),
      keys.member('benchPlain01', 'bob'),
      keys.roomBan('benchPlain01', 'bob'),
      keys.timeout('benchPlain01', 'bob'),
      keys.appBan('bob'),
      keys.lastSend('benchPlain01', 'bob'),
    ].map((key) => ({ pk: { S: key.pk }, sk: { S: key.sk } }));
    rows.push(
      await timed(
        'bare BatchGetItem, same 6 keys (SDK)',
        () =>
          bare.send(
            new BatchGetItemCommand({
              RequestItems: { [local.tableName]: { Keys: standingKeys, ConsistentRead: true } },
            }),
          ),
        () => true,
      ),
    );

    const fmt = (value: number): string => value.toFixed(2).padStart(9);
    const lines = [
      `\nwhole handler with its table calls against dynalite (ms, ${MESSAGES} messages each, one at a time)`,
      `${'path'.padEnd(44)} ${'median'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}  fallbacks`,
      ...rows.map(
        (row) =>
          `${row.name.padEnd(44)} ${fmt(row.median)} ${fmt(row.p99)} ${fmt(row.max)}  ${String(row.unexpected).padStart(9)}`,
      ),
    ];
    const [none, read, slow, held] = rows;
    if (none && read && slow && held) {
      lines.push(
        `  IVS waits 200 ms; p99 with the table: read ${read.p99.toFixed(2)} ms, slow mode ${slow.p99.toFixed(2)} ms, held ${held.p99.toFixed(2)} ms, against ${none.p99.toFixed(2)} ms without it`,
      );
    }
    return lines;
  } finally {
    bare.destroy();
    table.client.destroy();
    await local.close();
  }
}
