/**
 * A fixed-window hit counter for express-rate-limit whose memory is bounded: at most `maxKeys`
 * callers are tracked. Expired windows are dropped lazily (entries sit in the Map in window-start
 * order, so a sweep stops at the first live one); when the map is full the oldest window is evicted
 * — that caller starts a fresh window, which errs towards serving rather than growing without bound.
 * The clock is injected so tests control time.
 */
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';

interface Window {
  hits: number;
  resetAt: number;
}

export class BoundedMemoryStore implements Store {
  readonly localKeys = true;
  readonly #windows = new Map<string, Window>();
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: { windowMs: number; maxKeys: number; now: () => number }) {
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys;
    this.#now = options.now;
  }

  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetAt > now) break;
      this.#windows.delete(key);
    }
  }

  increment(key: string): ClientRateLimitInfo {
    const now = this.#now();
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window) {
      if (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next();
        if (oldest.done !== true) this.#windows.delete(oldest.value);
      }
      window = { hits: 0, resetAt: now + this.#windowMs };
      this.#windows.set(key, window);
    }
    window.hits += 1;
    return { totalHits: window.hits, resetTime: new Date(window.resetAt) };
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= this.#now()) return undefined;
    return { totalHits: window.hits, resetTime: new Date(window.resetAt) };
  }

  decrement(key: string): void {
    const window = this.#windows.get(key);
    if (window && window.hits > 0) window.hits -= 1;
  }

  resetKey(key: string): void {
    this.#windows.delete(key);
  }

  resetAll(): void {
    this.#windows.clear();
  }
}
