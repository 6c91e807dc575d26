import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchGetItemCommandInput, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
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

type Stored = Record<string, { until?: string }>;

/** A BatchGetItem stand-in answering from `stored` (keyed "pk|sk"), recording what was asked. */
function reader(stored: Stored, asked: BatchGetItemCommandInput[] = []) {
  return (input: BatchGetItemCommandInput): Promise<BatchGetItemCommandOutput> => {
    asked.push(input);
    const request = input.RequestItems?.chat;
    const items = (request?.Keys ?? []).flatMap((key) => {
      const id = `${key.pk?.S ?? ''}|${key.sk?.S ?? ''}`;
      const found = stored[id];
      if (!found) return [];
      return [
        {
          pk: { S: key.pk?.S ?? '' },
          sk: { S: key.sk?.S ?? '' },
          ...(found.until ? { until: { S: found.until } } : {}),
        },
      ];
    });
    return Promise.resolve({ Responses: { chat: items }, $metadata: {} });
  };
}

const check = (stored: Stored, asked?: BatchGetItemCommandInput[]): StandingCheck =>
  createStandingCheck({ tableName: 'chat', read: reader(stored, asked), now: () => NOW });
const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';
const signal = new AbortController().signal;

describe('the sender standing check', () => {
  it('reads the room ban, the timeout and the app-wide ban in one strongly consistent request', async () => {
    const asked: BatchGetItemCommandInput[] = [];

    const standing = await check({}, asked)(ROOM, 'bob', signal);

    assert.deepEqual(standing, { blocked: false });
    assert.equal(asked.length, 1);
    const request = asked[0]?.RequestItems?.chat;
    assert.ok(request);
    assert.equal(request.ConsistentRead, true);
    const keys = (request.Keys ?? []).map((key) => `${String(key.pk?.S)}|${String(key.sk?.S)}`);
    assert.deepEqual(keys, ['ROOM#abcdEFGH1234|BAN#bob', 'ROOM#abcdEFGH1234|TIMEOUT#bob', 'USER#bob|BAN']);
  });

  it('blocks a timed-out sender, saying until when', async () => {
    const standing = await check({ 'ROOM#abcdEFGH1234|TIMEOUT#bob': { until: '2026-11-30T12:05:00.000Z' } })(
      ROOM,
      'bob',
      signal,
    );

    assert.deepEqual(standing, {
      blocked: true,
      reason: 'You are timed out until 2026-11-30T12:05:00.000Z: you can read but not send.',
    });
  });

  it('blocks a banned sender (room or app-wide; a permanent ban has no end)', async () => {
    const room = await check({ 'ROOM#abcdEFGH1234|BAN#bob': {} })(ROOM, 'bob', signal);
    const app = await check({ 'USER#bob|BAN': {} })(ROOM, 'bob', signal);

    assert.deepEqual(room, { blocked: true, reason: 'You are banned from this room.' });
    assert.deepEqual(app, { blocked: true, reason: 'You are banned from chat.' });
  });

  it('lets a sender through once the restriction has ended (expiry is checked on read)', async () => {
    const standing = await check({ 'ROOM#abcdEFGH1234|TIMEOUT#bob': { until: '2026-11-30T11:59:59.000Z' } })(
      ROOM,
      'bob',
      signal,
    );

    assert.deepEqual(standing, { blocked: false });
  });

  it('is off when CHAT_TABLE is not set', () => {
    assert.equal(standingCheckFromEnv({}), undefined);
  });
});

function handlerWith(standing: StandingCheck, budgetMs = '150'): { handler: ReviewHandler; lines: string[] } {
  const lines: string[] = [];
  const handler = createReviewHandler({
    config: loadConfig({ REVIEW_BUDGET_MS: budgetMs }),
    logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
    standing,
  });
  return { handler, lines };
}

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

  it('answers the fallback when the check outlasts the budget, and aborts it', async () => {
    let aborted = false;
    const { handler, lines } = handlerWith(
      (_room, _user, abort) =>
        new Promise((resolve) => {
          abort.addEventListener('abort', () => {
            aborted = true;
            resolve({ blocked: false });
          });
        }),
      '20',
    );

    const answer = await handler(reviewEvent('hello'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.ok(aborted);
    assert.ok(lines.some((line) => line.includes('"Cause":"budget-exhausted"')));
  });
});
