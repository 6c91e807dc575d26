/**
 * A sliding one-second window: at most `limit` events in any 1,000 ms. Used for a room's
 * maximumMessageRatePerSecond (across all its clients) and for the 100 TPS data-plane operations.
 * The limit is read at each call so UpdateRoom takes effect on live rooms.
 */
export class SlidingWindow {
  readonly #times: number[] = [];

  /** Records an event at `nowMs` and answers true, or answers false when the window is full. */
  tryTake(nowMs: number, limit: number): boolean {
    const since = nowMs - 1000;
    let drop = 0;
    while (drop < this.#times.length && (this.#times[drop] ?? 0) <= since) drop++;
    if (drop > 0) this.#times.splice(0, drop);
    if (this.#times.length >= limit) return false;
    this.#times.push(nowMs);
    return true;
  }
}
