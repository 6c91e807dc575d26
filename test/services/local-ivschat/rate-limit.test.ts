import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../../services/local-ivschat/rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst of `limit`, then refuses until time refills a token', () => {
    const limiter = new RateLimiter();
    const taken = Array.from({ length: 4 }, () => limiter.tryTake(0, 3));
    assert.deepEqual(taken, [true, true, true, false]);
    assert.equal(limiter.tryTake(300, 3), false);
    assert.equal(limiter.tryTake(334, 3), true);
  });

  it('never refuses a sender that keeps exactly to the limit, even with jitter', () => {
    const limiter = new RateLimiter();
    const jitter = [0, 4, -3, 2, -4, 1, 3, -2];
    const refused = Array.from({ length: 300 }, (_, i) =>
      limiter.tryTake(i * 10 + (jitter[i % jitter.length] ?? 0), 100),
    ).filter((ok) => !ok);
    assert.equal(refused.length, 0);
  });

  it('applies a lowered limit at once', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10; i++) limiter.tryTake(0, 10);
    assert.equal(limiter.tryTake(1000, 2), true);
    assert.equal(limiter.tryTake(1000, 2), true);
    assert.equal(limiter.tryTake(1000, 2), false);
  });

  it('refills nothing when the wall clock steps back, and takes nothing away', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 5; i++) limiter.tryTake(10_000, 5);
    assert.equal(limiter.tryTake(9_000, 5), false);
    // One token refills 200 ms after the latest time seen, not after the stepped-back one.
    assert.equal(limiter.tryTake(10_199, 5), false);
    assert.equal(limiter.tryTake(10_200, 5), true);
  });
});
