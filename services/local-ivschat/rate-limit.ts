/**
 * A token bucket holding at most `limit` tokens and refilled at `limit` per second: at most `limit`
 * events in any second on average, a burst of up to `limit` after a quiet spell, and a sender
 * keeping exactly to the limit is not refused for network jitter (a strict sliding window would
 * refuse one message whenever two arrivals bunch). Used for a room's maximumMessageRatePerSecond
 * (across all its clients) and for the account's API quotas (quotas.ts); which algorithm IVS uses is
 * **unconfirmed**, this is the one AWS documents for its own API throttling (the EC2 API reference,
 * "Request throttling": a bucket of a maximum capacity refilled at a fixed rate). The limit is read at
 * each call, so UpdateRoom takes effect on live rooms.
 */
export class RateLimiter {
  #tokens = Number.NaN;
  #lastMs = 0;

  /** Takes one token at `nowMs` and answers true, or answers false when none is left. */
  tryTake(nowMs: number, limit: number): boolean {
    if (Number.isNaN(this.#tokens)) this.#tokens = limit;
    else {
      // A wall clock stepped back refills nothing (and takes nothing away).
      const elapsedMs = Math.max(0, nowMs - this.#lastMs);
      this.#tokens = Math.min(limit, this.#tokens + (elapsedMs * limit) / 1000);
    }
    this.#lastMs = Math.max(this.#lastMs, nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
