import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BatchGetItemCommand, DynamoDBClient, type BatchGetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { startLocalTable } from '../../../services/local-dynamodb/start.js';
import { deleteMembership, putMembership } from '../../../services/token-vending/features/members/store.js';
import {
  putRestriction,
  type Restriction,
} from '../../../services/token-vending/features/moderation/restrictions-store.js';
import {
  MODES_OFF,
  putRoomIfAbsent,
  type RoomRecord,
} from '../../../services/token-vending/features/rooms/store.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';
import { keys } from '../../../shared/table/keys.js';
import { createLogger } from '../../../shared/logger.js';
import { loadConfig } from '../../../lambdas/message-review/config.js';
import { createReviewHandler, type ReviewHandler } from '../../../lambdas/message-review/review-handler.js';
import {
  createStandingCheck,
  standingCheckFromEnv,
  type StandingCheck,
} from '../../../lambdas/message-review/sender-standing.js';
import { reviewEvent } from './helpers.js';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 3000 };

/**
 * The items are written by the token service's own stores into a real table (dynalite) and read by
 * the review function's check through its own low-level client: a key or attribute that drifts
 * between the two fails here.
 */
const local = await startLocalTable();
const lowLevel = new DynamoDBClient({
  endpoint: local.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
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

let roomCounter = 0;
/** A fresh room recorded as the service records it; each test gets its own. */
async function room(
  privacy: 'public' | 'private',
  modes: Partial<RoomRecord['modes']> = {},
): Promise<RoomRecord> {
  const id = `standing${String(++roomCounter).padStart(4, '0')}`;
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

function restriction(userId: string, until?: string): Restriction {
  return { userId, reason: 'spam', until, by: 'mod-1', since: '2026-11-30T11:30:00.000Z' };
}

const asked: BatchGetItemCommandInput[] = [];
const check: StandingCheck = createStandingCheck({
  tableName: local.tableName,
  read: (input, abort) => {
    asked.push(input);
    return lowLevel.send(new BatchGetItemCommand(input), { abortSignal: abort });
  },
  now: () => NOW,
});
const signal = new AbortController().signal;
const sender = (userId: string, role?: string) => ({ userId, role });

describe('the sender standing check', () => {
  it('reads the five keys the token service reads and the last-send item, in one strongly consistent request', async () => {
    const r = await room('public');
    asked.length = 0;

    const standing = await check(r.arn, sender('bob'), signal);

    assert.equal(standing.blocked, false);
    assert.equal(asked.length, 1);
    const request = asked[0]?.RequestItems?.[local.tableName];
    assert.ok(request);
    assert.equal(request.ConsistentRead, true);
    const read = (request.Keys ?? []).map((key) => `${String(key.pk?.S)}|${String(key.sk?.S)}`).sort();
    const expected = [
      keys.room(r.id),
      keys.member(r.id, 'bob'),
      keys.roomBan(r.id, 'bob'),
      keys.timeout(r.id, 'bob'),
      keys.appBan('bob'),
      keys.lastSend(r.id, 'bob'),
    ]
      .map((key) => `${key.pk}|${key.sk}`)
      .sort();
    assert.deepEqual(read, expected);
  });

  it('blocks a timed-out sender, saying until when', async () => {
    const r = await room('public');
    await putRestriction(table, 'timeout', r.id, restriction('bob', '2026-11-30T12:05:00.000Z'), NOW);

    const standing = await check(r.arn, sender('bob'), signal);

    assert.deepEqual(standing, {
      blocked: true,
      reason: 'You are timed out until 2026-11-30T12:05:00.000Z: you can read but not send.',
    });
  });

  it('blocks a banned sender (room or app-wide; a permanent ban has no end)', async () => {
    const r = await room('public');
    await putRestriction(table, 'ban', r.id, restriction('bob'), NOW);
    await putRestriction(table, 'appBan', undefined, restriction('carl'), NOW);

    const banned = await check(r.arn, sender('bob'), signal);
    const appBanned = await check(r.arn, sender('carl'), signal);

    assert.deepEqual(banned, { blocked: true, reason: 'You are banned from this room.' });
    assert.deepEqual(appBanned, { blocked: true, reason: 'You are banned from chat.' });
  });

  it('blocks a sender who is not (or no longer) a member of a private room', async () => {
    const r = await room('private');
    await putMembership(table, r, 'dana', 'member', '2026-11-30T11:10:00.000Z');
    const before = await check(r.arn, sender('dana'), signal);
    await deleteMembership(table, r.id, 'dana');

    const after = await check(r.arn, sender('dana'), signal);

    assert.equal(before.blocked, false);
    assert.deepEqual(after, { blocked: true, reason: 'This room is private and you are not a member.' });
  });

  it('blocks a non-member in a members-only room, and lets members send', async () => {
    const r = await room('public', { membersOnlySend: true });
    await putMembership(table, r, 'erin', 'member', '2026-11-30T11:10:00.000Z');

    const member = await check(r.arn, sender('erin'), signal);
    const outsider = await check(r.arn, sender('fred'), signal);

    assert.equal(member.blocked, false);
    assert.deepEqual(outsider, { blocked: true, reason: 'Only members may send messages in this room.' });
  });

  it('binds no admin (the token role attribute the service sets), banned or not a member', async () => {
    const r = await room('private');
    await putRestriction(table, 'ban', r.id, restriction('gail'), NOW);

    const standing = await check(r.arn, sender('gail', 'admin'), signal);

    assert.equal(standing.blocked, false);
  });

  it('lets a sender through once the restriction has ended (expiry is checked on read)', async () => {
    const r = await room('public');
    await putRestriction(
      table,
      'timeout',
      r.id,
      restriction('bob', '2026-11-30T11:59:59.000Z'),
      Date.parse('2026-11-30T11:00:00.000Z'),
    );

    const standing = await check(r.arn, sender('bob'), signal);

    assert.equal(standing.blocked, false);
  });

  it('treats a room the table does not know (made outside the API) as public', async () => {
    const standing = await check(
      'arn:aws:ivschat:us-east-1:123456789012:room/unknownRoom1',
      sender('bob'),
      signal,
    );

    assert.equal(standing.blocked, false);
  });

  it('is off when CHAT_TABLE is not set', () => {
    assert.equal(standingCheckFromEnv({}), undefined);
  });
});

function handlerWith(
  standing: StandingCheck,
  budgetMs = '150',
  env: Record<string, string> = {},
): { handler: ReviewHandler; lines: string[] } {
  const lines: string[] = [];
  const handler = createReviewHandler({
    config: loadConfig({ REVIEW_BUDGET_MS: budgetMs, ...env }),
    logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    standing,
  });
  return { handler, lines };
}

/**
 * An HTTP front for the table that closes a connection when a second request comes on it: what a
 * client meets when the table closes an idle keep-alive connection just as the client reuses it (the
 * two cross; a busy event loop has not yet seen the close). First requests pass through to dynalite.
 */
async function startClosingFront(target: string): Promise<{
  url: string;
  connections: () => number;
  closedUnderRequest: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  let closedUnderRequest = 0;
  const served = new WeakMap<Socket, number>();
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, count);
    if (count > 1) {
      closedUnderRequest += 1;
      req.socket.destroy();
      return;
    }
    const upstream = request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    closedUnderRequest: () => closedUnderRequest,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

describe('the standing read on a connection the table has closed', () => {
  it("reads again on a new connection, so a banned sender's message is refused, not given the fallback", async () => {
    const r = await room('public');
    await putRestriction(table, 'ban', r.id, restriction('eve'), NOW);
    const front = await startClosingFront(local.endpoint);
    // As the function's own client: one attempt per call (reviewTableFromEnv).
    const client = new DynamoDBClient({
      endpoint: front.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const throughFront = createStandingCheck({
        tableName: local.tableName,
        read: (input, abort) => client.send(new BatchGetItemCommand(input), { abortSignal: abort }),
        now: () => NOW,
      });
      // A generous budget (as a stand-in may give): what is tested is the closed connection, not the
      // machine's speed.
      const { handler, lines } = handlerWith(throughFront, '3000', { REVIEW_TIMEOUT_MS: '5000' });
      const roomEvent = (userId: string) =>
        reviewEvent('hello', {
          RoomArn: r.arn,
          Sender: { UserId: userId, Attributes: { displayName: userId, role: 'user' }, Ip: '203.0.113.9' },
        });

      // The first message opens the connection; the second comes on it, and the front closes it.
      assert.equal((await handler(roomEvent('bob'), context)).ReviewResult, 'ALLOW');
      const answer = await handler(roomEvent('eve'), context);

      assert.deepEqual(answer, {
        ReviewResult: 'DENY',
        Attributes: { Reason: 'You are banned from this room.' },
      });
      assert.equal(front.closedUnderRequest(), 1);
      assert.equal(front.connections(), 2);
      assert.ok(!lines.some((line) => line.includes('review fell back')), lines.join('\n'));
    } finally {
      client.destroy();
      await front.close();
    }
  });
});

describe('the review handler with the standing check', () => {
  it("denies a blocked sender's message with the check's reason", async () => {
    const { handler } = handlerWith(() =>
      Promise.resolve({ blocked: true, reason: 'You are timed out until X: you can read but not send.' }),
    );

    const answer = await handler(reviewEvent('hello'), context);

    assert.deepEqual(answer, {
      ReviewResult: 'DENY',
      Attributes: { Reason: 'You are timed out until X: you can read but not send.' },
    });
  });

  it('answers the fallback, with its cause counted, when the check fails', async () => {
    const { handler, lines } = handlerWith(() => Promise.reject(new Error('table down')));

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW'); // FALLBACK_RESULT defaults to ALLOW
    assert.ok(lines.some((line) => line.includes('"Cause":"standing-check-failed"')));
  });

  it("names a failed check's error and code in the fallback's log line, never its message", async () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const { handler, lines } = handlerWith(() => Promise.reject(reset));

    await handler(reviewEvent('hello'), context);

    const line = lines.find((entry) => entry.includes('review fell back')) ?? '';
    assert.ok(line.includes('the ban and timeout check failed (TimeoutError ECONNRESET)'), line);
    assert.ok(!line.includes('socket hang up'), line);
  });

  it('answers the fallback when the check outlasts the budget, and aborts it', async () => {
    let aborted = false;
    const { handler, lines } = handlerWith(
      (_room, _sender, abort) =>
        new Promise((resolve) => {
          abort.addEventListener('abort', () => {
            aborted = true;
            resolve({ blocked: false, view: undefined });
          });
        }),
      '20',
    );

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.ok(aborted);
    assert.ok(lines.some((line) => line.includes('"Cause":"budget-exhausted"')));
  });

  it("keeps the rules' refusal when the check fails or outlasts the budget (never the fallback's ALLOW)", async () => {
    const refusing = { REVIEW_POLICY: '{"blockedTermAction":"DENY"}' };
    const failing = handlerWith(() => Promise.reject(new Error('table down')), '150', refusing);
    const late = handlerWith(
      (_room, _sender, abort) =>
        new Promise((resolve) => {
          abort.addEventListener('abort', () => {
            resolve({ blocked: false, view: undefined });
          });
        }),
      '20',
      refusing,
    );

    for (const { handler, lines } of [failing, late]) {
      const answer = await handler(reviewEvent('you bastard'), context);

      assert.deepEqual(answer, {
        ReviewResult: 'DENY',
        Attributes: { Reason: 'Your message contains a word that is not allowed here.' },
      });
      assert.ok(!lines.some((line) => line.includes('review fell back')), lines.join('\n'));
    }
  });

  it('delivers what the rules rewrote when a failed check falls back to ALLOW (a masked address stays masked)', async () => {
    const { handler, lines } = handlerWith(() => Promise.reject(new Error('table down')), '150', {
      REVIEW_POLICY: '{"pii":{"email":true,"action":"MASK"}}',
    });

    const answer = await handler(reviewEvent('write to ann@example.com'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.ok(answer.Content !== undefined && !answer.Content.includes('ann@example.com'), answer.Content);
    assert.ok(lines.some((line) => line.includes('"Cause":"standing-check-failed"')));
  });
});
