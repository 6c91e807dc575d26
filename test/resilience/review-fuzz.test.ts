/**
 * Bad input at volume for the review Lambda: fuzzed events (every field replaced, removed or bent:
 * wrong types, lone surrogates, oversized text, prototype keys, throwing getters, cycles). The handler
 * must never throw and every answer must be one IVS accepts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lambdas/message-review/config.js';
import { createReviewHandler } from '../../lambdas/message-review/review-handler.js';
import { createLogger } from '../../shared/logger.js';
import { parseReviewAnswer } from '../../shared/review/contract.js';
import { report } from './support/stack.js';
import { seeded, type Random } from './support/random.js';

const EVENTS = 100_000;

function oddValue(random: Random, depth = 0): unknown {
  switch (random.int(0, 17)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return random.pick([0, -1, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 1]);
    case 3:
      return random.pick([true, false]);
    case 4:
      return '';
    case 5:
      return 'x'.repeat(random.int(490, 2000));
    case 6:
      return '\ud800 lone \udfff surrogates';
    case 7:
      return '😀'.repeat(random.int(1, 600));
    case 8:
      return 'a\u0000b\u202e\u200b\uFEFFc';
    case 9:
      return depth > 3
        ? {}
        : { __proto__: { polluted: true }, constructor: 'x', nested: oddValue(random, depth + 1) };
    case 10:
      return depth > 3 ? [] : [oddValue(random, depth + 1), 'a', 1];
    case 11:
      return JSON.parse('{"__proto__": {"role": "moderator"}, "role": "user"}') as unknown;
    case 12:
      return new Proxy(
        {},
        {
          get: () => {
            throw new Error('getter throws');
          },
        },
      );
    case 13: {
      const cycle: Record<string, unknown> = { a: 1 };
      cycle.self = cycle;
      return cycle;
    }
    case 14:
      return Object.fromEntries(
        Array.from({ length: random.int(0, 60) }, (_, i) => [`k${i}`, 'v'.repeat(random.int(0, 40))]),
      );
    case 15:
      return 'you b@st4rd https://evil.example/x';
    case 16:
      return Symbol('s');
    default:
      return 'hello there';
  }
}

const BASE = (): Record<string, unknown> => ({
  Content: 'hello there',
  MessageId: 'abcDEF123456',
  RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
  Attributes: { client: 'web' },
  Sender: { UserId: 'u-1', Attributes: { displayName: 'Ann', role: 'user' }, Ip: '203.0.113.9' },
});

function fuzzedEvent(random: Random): unknown {
  const kind = random.int(0, 9);
  if (kind === 0) return oddValue(random);
  const event = BASE();
  const fields = ['Content', 'MessageId', 'RoomArn', 'Attributes', 'Sender', 'extra'];
  for (let changes = random.int(1, 3); changes > 0; changes--) {
    const field = random.pick(fields);
    if (random() < 0.2) Reflect.deleteProperty(event, field);
    else event[field] = oddValue(random);
  }
  if (kind === 1) {
    const sender: Record<string, unknown> = {
      UserId: oddValue(random),
      Attributes: oddValue(random),
      Ip: oddValue(random),
    };
    event.Sender = sender;
  }
  return event;
}

describe('resilience: fuzzed review events', () => {
  it(`answers ${EVENTS.toLocaleString('en')} fuzzed events validly, never throwing`, async () => {
    const random = seeded(13);
    const handler = createReviewHandler({
      config: loadConfig({
        REVIEW_POLICY: JSON.stringify({ blockedTerms: ['bastard'], blockedTermAction: 'MASK' }),
      }),
      logger: createLogger({ level: 'silent' }),
    });
    const context = { awsRequestId: 'fuzz', getRemainingTimeInMillis: () => 3000 };
    const results = new Map<string, number>();
    let thrown = 0;
    let invalid = 0;
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      try {
        const answer: unknown = await handler(fuzzedEvent(random), context);
        const parsed = parseReviewAnswer(answer);
        if (!parsed.ok) invalid += 1;
        else results.set(parsed.value.ReviewResult, (results.get(parsed.value.ReviewResult) ?? 0) + 1);
      } catch {
        thrown += 1;
      }
    }
    report(`review Lambda: ${EVENTS} fuzzed events (seed 13)`, [
      `answers: ${[...results].map(([result, count]) => `${count}× ${result}`).join(', ')}; ${invalid} invalid, ${thrown} thrown`,
      `took ${Math.round(performance.now() - started)} ms`,
    ]);
    assert.equal(thrown, 0);
    assert.equal(invalid, 0);
  });
});
