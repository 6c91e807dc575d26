import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseReviewAnswer, parseReviewEvent } from '../../../shared/review/contract.js';

const event = {
  Content: 'hi',
  MessageId: 'abcDEF123456',
  RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
  Attributes: { k: 'v' },
  Sender: { UserId: 'u-1', Attributes: { displayName: 'Ann' }, Ip: '203.0.113.9' },
};

describe('parseReviewEvent', () => {
  it('accepts the event IVS sends', () => {
    const parsed = parseReviewEvent(structuredClone(event));

    assert.deepEqual(parsed, { ok: true, value: event });
  });

  it('reads absent message attributes as an empty map', () => {
    const { Attributes: _omitted, ...withoutAttributes } = structuredClone(event);

    const parsed = parseReviewEvent(withoutAttributes);

    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.Attributes, {});
  });

  for (const [label, mutate] of [
    ['a non-object', () => 'hello'],
    ['a numeric Content', (e: Record<string, unknown>) => ({ ...e, Content: 5 })],
    ['a missing MessageId', (e: Record<string, unknown>) => ({ ...e, MessageId: undefined })],
    ['a RoomArn that is not an ARN', (e: Record<string, unknown>) => ({ ...e, RoomArn: 'room' })],
    ['a non-string attribute', (e: Record<string, unknown>) => ({ ...e, Attributes: { k: 1 } })],
    ['no Sender', (e: Record<string, unknown>) => ({ ...e, Sender: null })],
  ] as const) {
    it(`refuses ${label}`, () => {
      const parsed = parseReviewEvent(mutate(structuredClone(event)));

      assert.equal(parsed.ok, false);
    });
  }
});

describe('parseReviewAnswer', () => {
  it('accepts ALLOW with content', () => {
    assert.ok(parseReviewAnswer({ ReviewResult: 'ALLOW', Content: 'hi', Attributes: {} }).ok);
  });

  it('accepts DENY with a reason', () => {
    assert.ok(parseReviewAnswer({ ReviewResult: 'DENY', Attributes: { Reason: 'no' } }).ok);
  });

  it('refuses ALLOW with empty content', () => {
    assert.equal(parseReviewAnswer({ ReviewResult: 'ALLOW', Content: '' }).ok, false);
  });

  it('refuses content past the room limit in code points', () => {
    assert.equal(parseReviewAnswer({ ReviewResult: 'ALLOW', Content: '😀😀😀' }, 2).ok, false);
    assert.ok(parseReviewAnswer({ ReviewResult: 'ALLOW', Content: '😀😀' }, 2).ok);
  });

  it('refuses an unknown result', () => {
    assert.equal(parseReviewAnswer({ ReviewResult: 'MAYBE', Content: 'x' }).ok, false);
  });

  it('refuses attributes over 1 KB', () => {
    assert.equal(
      parseReviewAnswer({ ReviewResult: 'DENY', Attributes: { Reason: 'x'.repeat(1100) } }).ok,
      false,
    );
  });
});
