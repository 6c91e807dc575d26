import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMemoryStore } from '../../../../services/token-vending/auth/failed-sign-ins-store.js';

describe('BoundedMemoryStore', () => {
  it('counts hits per key within a window and restarts after it', () => {
    const clock = { now: 1_000_000 };
    const store = new BoundedMemoryStore({ windowMs: 60_000, maxKeys: 10, now: () => clock.now });

    store.increment('a');
    const second = store.increment('a');
    clock.now += 60_000;
    const afterWindow = store.increment('a');

    assert.equal(second.totalHits, 2);
    assert.equal(second.resetTime?.getTime(), 1_060_000);
    assert.equal(afterWindow.totalHits, 1);
  });

  it('never tracks more than maxKeys callers', () => {
    const store = new BoundedMemoryStore({ windowMs: 60_000, maxKeys: 100, now: () => 0 });

    for (let i = 0; i < 10_000; i++) store.increment(`key-${i}`);

    assert.equal(store.size, 100);
    assert.equal(store.get('key-9999')?.totalHits, 1);
    assert.equal(store.get('key-0'), undefined);
  });

  it('drops expired windows as time passes', () => {
    const clock = { now: 0 };
    const store = new BoundedMemoryStore({ windowMs: 1000, maxKeys: 100, now: () => clock.now });
    for (let i = 0; i < 50; i++) store.increment(`key-${i}`);

    clock.now = 1000;
    store.increment('late');

    assert.equal(store.size, 1);
  });
});
