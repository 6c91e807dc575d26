/**
 * A token bucket holding at most `limit` tokens and refilled at `limit` per second: at most `limit`
 * events in any second on average, a burst of up to `limit` after a quiet spell, and a sender
 * keeping exactly to the limit is not refused for network jitter (a strict sliding window would
 * refuse one message whenever two arrivals bunch). Used for a room's maximumMessageRatePerSecond
 * (across all its clients) and the 100 TPS data-plane operations; which algorithm IVS uses is
 * **unconfirmed**, this is the usual AWS one. The limit is read at each call, so UpdateRoom takes
 * effect on live rooms.
 */
export class RateLimiter {
  #tokens = Number.NaN;
  #lastMs = 0;

  /** Takes one token at `nowMs` and answers true, or answers false when none is left. */
  tryTake(nowMs: number, limit: number): boolean {
    if (Number.isNaN(this.#tokens)) this.#tokens = limit;
    else this.#tokens = Math.min(limit, this.#tokens + ((nowMs - this.#lastMs) * limit) / 1000);
    this.#lastMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
