/**
 * The room modes the review function enforces (slow mode, held for review), through the handler with
 * its real standing read and its real writes against a real table (dynalite). Rooms and memberships
 * are written by the token service's own stores, and held messages read back with the layout the
 * service reads (shared/table/held.ts): a key or attribute that drifts between the two fails here.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalTable } from '../../../services/local-dynamodb/start.js';
import { putMembership } from '../../../services/token-vending/features/members/store.js';
import {
  MODES_OFF,
  putRoomIfAbsent,
  type RoomRecord,
} from '../../../services/token-vending/features/rooms/store.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';
import { keys } from '../../../shared/table/keys.js';
import { parseHeldItem, type HeldRecord } from '../../../shared/table/held.js';
import { TABLE_KEYS } from '../../../shared/table/schema.js';
import { createLogger } from '../../../shared/logger.js';
import { loadConfig } from '../../../lambdas/message-review/config.js';
import {
  createReviewHandler,
  TOO_LONG_TO_HOLD_REASON,
  type HandlerDependencies,
} from '../../../lambdas/message-review/review-handler.js';
import { createStandingCheck, type BatchRead } from '../../../lambdas/message-review/sender-standing.js';
import { createRoomModeWrites, type RoomModeWrites } from '../../../lambdas/message-review/room-modes.js';
import { HELD_REASON } from '../../../lambdas/message-review/rules.js';
import { reviewEvent } from './helpers.js';

const local = await startLocalTable();
const lowLevel = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});
const table: Table = {
  name: local.tableName,
  client: createTableClient({ endpoint: local.endpoint, region: 'us-east-1', dummyCredentials: true }),
};
after(async () => {
  lowLevel.destroy();
  table.client.destroy();
  await local.close();
});

/** The wall clock the standing read and the writes see; tests move it. */
let clock = Date.parse('2026-11-30T12:00:00.000Z');
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 };

let roomCounter = 0;
async function room(modes: Partial<RoomRecord['modes']>, privacy: 'public' | 'private' = 'public') {
  const id = `modesRoom${String(++roomCounter).padStart(3, '0')}`;
  const record: RoomRecord = {
    id,
    arn: `arn:aws:ivschat:us-east-1:123456789012:room/${id}`,
    name: id,
    privacy,
    createTime: '2026-11-30T11:00:00.000Z',
    updateTime: '2026-11-30T11:00:00.000Z',
    maximumMessageLength: 500,
    maximumMessageRatePerSecond: 10,
    messageReviewHandler: undefined,
    tags: {},
    ownerId: 'owner-1',
    modes: { ...MODES_OFF, ...modes },
    pinned: undefined,
  };
  assert.ok(await putRoomIfAbsent(table, record));
  return record;
}

const realRead: BatchRead = (input, signal) =>
  lowLevel.send(new BatchGetItemCommand(input), { abortSignal: signal });

function realWrites(heldMessageHours = 24): RoomModeWrites {
  return createRoomModeWrites({
    tableName: local.tableName,
    update: (input, signal) => lowLevel.send(new UpdateItemCommand(input), { abortSignal: signal }),
    put: (input, signal) => lowLevel.send(new PutItemCommand(input), { abortSignal: signal }),
    heldMessageHours,
    now: () => clock,
  });
}

interface Options {
  readonly policy?: unknown;
  readonly read?: BatchRead;
  readonly modes?: RoomModeWrites;
  readonly budgetMs?: number;
}

function handlerWith(options: Options = {}) {
  const lines: string[] = [];
  const config = loadConfig({ REVIEW_POLICY: JSON.stringify(options.policy ?? {}) });
  const dependencies: HandlerDependencies = {
    // These tests are about decisions, not timing: a budget past IVS's 200 ms keeps a loaded machine's
    // slow table round trips from turning a decision into the fallback (allows for load). The budget
    // tests below set a small one.
    config: { ...config, budgetMs: options.budgetMs ?? 10_000 },
    logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    standing: createStandingCheck({
      tableName: local.tableName,
      read: options.read ?? realRead,
      now: () => clock,
    }),
    modes: options.modes ?? realWrites(),
  };
  return { handler: createReviewHandler(dependencies), lines };
}

function eventIn(
  r: RoomRecord,
  text: string,
  userId = 'bob',
  attributes: Record<string, string> = { displayName: 'Bob', role: 'user' },
) {
  return reviewEvent(text, {
    RoomArn: r.arn,
    Sender: { UserId: userId, Attributes: attributes, Ip: '203.0.113.9' },
  });
}

async function heldIn(r: RoomRecord): Promise<HeldRecord[]> {
  const output = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.heldQueue(r.id) },
    }),
  );
  return (output.Items ?? []).flatMap((item) => {
    const held = parseHeldItem(item);
    return held ? [held] : [];
  });
}

describe('slow mode in the review function', () => {
  it('refuses a second message inside the window, saying how long to wait (rounded up), and allows one after', async () => {
    const r = await room({ slowModeSeconds: 10 });
    const { handler } = handlerWith();

    const first = await handler(eventIn(r, 'first'), context);
    clock += 2_300;
    const second = await handler(eventIn(r, 'second'), context);
    clock += 7_700;
    const third = await handler(eventIn(r, 'third'), context);

    assert.equal(first.ReviewResult, 'ALLOW');
    assert.deepEqual(second, {
      ReviewResult: 'DENY',
      Attributes: { Reason: 'Slow mode: wait 8 s before your next message.' },
    });
    assert.equal(third.ReviewResult, 'ALLOW');
  });

  it("keeps one user's window to that user and that room", async () => {
    const r = await room({ slowModeSeconds: 30 });
    const other = await room({ slowModeSeconds: 30 });
    const { handler } = handlerWith();

    const answers = [
      await handler(eventIn(r, 'hi', 'bob'), context),
      await handler(eventIn(r, 'hi', 'carl'), context),
      await handler(eventIn(other, 'hi', 'bob'), context),
    ];

    assert.deepEqual(
      answers.map((answer) => answer.ReviewResult),
      ['ALLOW', 'ALLOW', 'ALLOW'],
    );
  });

  it('writes the last send with a TTL of the window, and refuses from the read without a write', async () => {
    const r = await room({ slowModeSeconds: 45 });
    let updates = 0;
    const { handler } = handlerWith({
      modes: createRoomModeWrites({
        tableName: local.tableName,
        update: (input, signal) => {
          updates++;
          return lowLevel.send(new UpdateItemCommand(input), { abortSignal: signal });
        },
        put: () => Promise.reject(new Error('not expected')),
        heldMessageHours: 24,
        now: () => clock,
      }),
    });
    const sentAt = clock;
    const lastSend = () =>
      table.client.send(
        new GetCommand({ TableName: table.name, Key: keys.lastSend(r.id, 'bob'), ConsistentRead: true }),
      );

    await handler(eventIn(r, 'hello'), context);
    const written = await lastSend();
    clock += 1_000;
    const refused = await handler(eventIn(r, 'again'), context);
    const after = await lastSend();

    assert.equal(written.Item?.sentAt, sentAt);
    assert.equal(written.Item.ttl, Math.ceil((sentAt + 45_000) / 1000));
    assert.equal(refused.ReviewResult, 'DENY');
    assert.equal(updates, 1);
    assert.deepEqual(after.Item, written.Item);
  });

  it('lets exactly one of several concurrent messages from one user through, even when every read saw no earlier send', async () => {
    const r = await room({ slowModeSeconds: 60 });
    const CONCURRENT = 6;
    const ROUNDS = 5;
    // A barrier on the standing read: no read answers until all of a round's reads have, so every
    // message of the round sees no earlier send and only the conditional write can tell them apart.
    let waiting: (() => void)[] = [];
    const read: BatchRead = async (input, signal) => {
      const output: BatchGetItemCommandOutput = await realRead(input, signal);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === CONCURRENT) {
          for (const release of waiting) release();
          waiting = [];
        }
      });
      return output;
    };
    const { handler } = handlerWith({ read });

    const rounds: string[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const user = `racer-${round}`;
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, index) =>
          handler(eventIn(r, `message ${index}`, user), context),
        ),
      );
      rounds.push(answers.map((answer) => answer.ReviewResult));
    }

    for (const results of rounds) {
      assert.equal(results.filter((result) => result === 'ALLOW').length, 1, results.join(' '));
      assert.equal(results.filter((result) => result === 'DENY').length, CONCURRENT - 1);
    }
  });

  it('exempts the owner, moderators and admins (room role from the table, admin from the token)', async () => {
    const r = await room({ slowModeSeconds: 60 });
    await putMembership(table, r, 'mod-1', 'moderator', '2026-11-30T11:10:00.000Z');
    const { handler } = handlerWith();
    const twice = async (userId: string, role: string) => [
      (await handler(eventIn(r, 'one', userId, { role }), context)).ReviewResult,
      (await handler(eventIn(r, 'two', userId, { role }), context)).ReviewResult,
    ];

    assert.deepEqual(await twice('owner-1', 'owner'), ['ALLOW', 'ALLOW']);
    assert.deepEqual(await twice('mod-1', 'moderator'), ['ALLOW', 'ALLOW']);
    assert.deepEqual(await twice('ada', 'admin'), ['ALLOW', 'ALLOW']);
    assert.deepEqual(await twice('member-x', 'member'), ['ALLOW', 'DENY']);
  });

  it('does not count a message the rules refused', async () => {
    const r = await room({ slowModeSeconds: 60 });
    const { handler } = handlerWith({ policy: { blockedTerms: ['darn'], blockedTermAction: 'DENY' } });

    const refused = await handler(eventIn(r, 'darn it'), context);
    const next = await handler(eventIn(r, 'sorry'), context);

    assert.equal(refused.ReviewResult, 'DENY');
    assert.equal(next.ReviewResult, 'ALLOW');
  });

  it('answers the fallback, counted as slow-mode-failed, when the write fails', async () => {
    const r = await room({ slowModeSeconds: 60 });
    const { handler, lines } = handlerWith({
      modes: {
        claimSlowMode: () =>
          Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })),
        hold: () => Promise.reject(new Error('not expected')),
      },
    });

    const answer = await handler(eventIn(r, 'hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW'); // FALLBACK_RESULT defaults to ALLOW
    assert.ok(lines.some((line) => line.includes('"Cause":"slow-mode-failed"')));
  });

  it('answers the fallback when the write outlasts the budget, and aborts it', async () => {
    const r = await room({ slowModeSeconds: 60 });
    let aborted = false;
    const { handler, lines } = handlerWith({
      // The read takes part of the budget: a budget that a loaded machine's read cannot eat whole.
      budgetMs: 2_000,
      modes: {
        claimSlowMode: (_request, signal) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve({ sent: true });
            });
          }),
        hold: () => Promise.reject(new Error('not expected')),
      },
    });

    const answer = await handler(eventIn(r, 'hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.ok(aborted);
    assert.ok(lines.some((line) => line.includes('"Cause":"budget-exhausted"')));
  });
});

describe('held for review in the review function', () => {
  const HOLD = { holdTerms: ['spoiler', 'giveaway*'], links: { action: 'HOLD' } };

  it('holds a doubtful message: not delivered, the sender told it waits, the message queued', async () => {
    const r = await room({ holdForReview: true });
    const { handler } = handlerWith({ policy: HOLD });

    const answer = await handler(eventIn(r, 'big spoiler ahead'), context);
    const held = await heldIn(r);

    assert.deepEqual(answer, { ReviewResult: 'DENY', Attributes: { Reason: HELD_REASON } });
    assert.equal(held.length, 1);
    const [entry] = held;
    assert.equal(entry?.content, 'big spoiler ahead');
    assert.deepEqual(entry.sender, { userId: 'bob', attributes: { displayName: 'Bob', role: 'user' } });
    assert.equal(entry.reason, 'It contains a term listed for review.');
    assert.equal(entry.heldAt, new Date(clock).toISOString());
    assert.equal(entry.ttl, Math.ceil((clock + 24 * 3_600_000) / 1000));
    assert.equal(entry.messageId, 'abcDEF123456');
    assert.equal(entry.decision, undefined);
  });

  it('matches hold terms as blocked terms are matched, evasions included', async () => {
    const r = await room({ holdForReview: true });
    const { handler } = handlerWith({ policy: HOLD });

    const answers = await Promise.all(
      ['s.p.o.i.l.e.r', 'SP01LER', 'ѕрoiler', 'free GIVEAWAYS now'].map(async (text) => [
        text,
        (await handler(eventIn(r, text), context)).ReviewResult,
      ]),
    );

    for (const [text, result] of answers) assert.equal(result, 'DENY', String(text));
    assert.equal((await heldIn(r)).length, 4);
  });

  it('holds a message with a link when links are HOLD, with its own reason for the moderators', async () => {
    const r = await room({ holdForReview: true });
    const { handler } = handlerWith({ policy: HOLD });

    const answer = await handler(eventIn(r, 'look at evil.example/x'), context);

    assert.equal(answer.ReviewResult, 'DENY');
    assert.equal((await heldIn(r))[0]?.reason, 'It contains a link.');
  });

  it('treats the hold rules as absent in a room without holdForReview', async () => {
    const r = await room({ holdForReview: false });
    const { handler } = handlerWith({ policy: { ...HOLD, reportRules: true } });

    const term = await handler(eventIn(r, 'big spoiler ahead'), context);
    const link = await handler(eventIn(r, 'look at evil.example/x'), context);

    assert.deepEqual(term, {
      ReviewResult: 'ALLOW',
      Content: 'big spoiler ahead',
      Attributes: { client: 'web' },
    });
    assert.equal(link.ReviewResult, 'ALLOW');
    assert.equal(link.Content, 'look at evil.example/x');
    assert.deepEqual(await heldIn(r), []);
  });

  it('lets a DENY win over a hold, and holds a message as it would be delivered (masked)', async () => {
    const r = await room({ holdForReview: true });
    const deny = handlerWith({ policy: { ...HOLD, blockedTerms: ['darn'], blockedTermAction: 'DENY' } });
    const mask = handlerWith({ policy: { ...HOLD, blockedTerms: ['darn'], blockedTermAction: 'MASK' } });

    const denied = await deny.handler(eventIn(r, 'darn spoiler'), context);
    const queuedBefore = (await heldIn(r)).length;
    const masked = await mask.handler(eventIn(r, 'darn spoiler'), context);

    assert.equal(denied.ReviewResult, 'DENY');
    assert.equal(denied.Attributes?.Reason, 'Your message contains a word that is not allowed here.');
    assert.equal(queuedBefore, 0);
    assert.deepEqual(masked, { ReviewResult: 'DENY', Attributes: { Reason: HELD_REASON } });
    assert.deepEqual(
      (await heldIn(r)).map((held) => held.content),
      ['**** spoiler'],
    );
  });

  it("delivers moderators' doubtful messages (they review the queue)", async () => {
    const r = await room({ holdForReview: true });
    await putMembership(table, r, 'mod-2', 'moderator', '2026-11-30T11:10:00.000Z');
    const { handler } = handlerWith({ policy: HOLD });

    const answer = await handler(eventIn(r, 'spoiler!', 'mod-2', { role: 'moderator' }), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.deepEqual(await heldIn(r), []);
  });

  it('refuses outright a doubtful message too long ever to be delivered as an approved one', async () => {
    const r = await room({ holdForReview: true });
    const { handler } = handlerWith({ policy: HOLD });
    // 8 + 270 x 4 bytes: over the 1 KB of event attributes an approved message is delivered in. Four
    // faces in turn, so that the flood rule (one character repeated) does not refuse it first.
    const text = `spoiler ${'😀😃😄😁'.repeat(68).slice(0, 540)}`;

    const answer = await handler(eventIn(r, text), context);

    assert.deepEqual(answer, { ReviewResult: 'DENY', Attributes: { Reason: TOO_LONG_TO_HOLD_REASON } });
    assert.deepEqual(await heldIn(r), []);
  });

  it('keeps a held message HELD_MESSAGE_HOURS', async () => {
    const r = await room({ holdForReview: true });
    const { handler } = handlerWith({ policy: HOLD, modes: realWrites(2) });

    await handler(eventIn(r, 'spoiler'), context);

    assert.equal((await heldIn(r))[0]?.ttl, Math.ceil((clock + 2 * 3_600_000) / 1000));
  });

  it('counts a held message for slow mode', async () => {
    const r = await room({ holdForReview: true, slowModeSeconds: 30 });
    const { handler } = handlerWith({ policy: HOLD });

    const held = await handler(eventIn(r, 'spoiler'), context);
    const next = await handler(eventIn(r, 'plain'), context);

    assert.equal(held.Attributes?.Reason, HELD_REASON);
    assert.equal(next.Attributes?.Reason, 'Slow mode: wait 30 s before your next message.');
  });

  it('answers the fallback, counted as hold-failed, when the held message cannot be written', async () => {
    const r = await room({ holdForReview: true });
    const { handler, lines } = handlerWith({
      policy: HOLD,
      modes: {
        claimSlowMode: () => Promise.resolve({ sent: true }),
        hold: () => Promise.reject(Object.assign(new Error('down'), { name: 'InternalServerError' })),
      },
    });

    const answer = await handler(eventIn(r, 'spoiler'), context);

    assert.equal(answer.ReviewResult, 'ALLOW'); // FALLBACK_RESULT defaults to ALLOW
    assert.ok(lines.some((line) => line.includes('"Cause":"hold-failed"')));
  });
});
