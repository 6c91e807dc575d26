/**
 * Bookings made together share one write. While an instance's write to a shard is in flight, the
 * requests that want a place on that shard wait for it, and then book all their places in one
 * conditional write (a `count`), in the order they asked: what a database's group commit does. A
 * crowd's first seconds are when an instance has the most requests in flight, so that is when this
 * saves the most writes (one write a request, otherwise, on each of the two schedules). An instance
 * that serves one request at a time (a Lambda container) never waits here: its batches are of one.
 *
 * The schedule is the same whether its places come one by one or in a batch: a batch of k takes the
 * k places k single bookings would, back to back from the later of the shard's next free place and
 * now. Only who gets which place within one instance's moment differs, and that is arrival order.
 */
import type { Booking, ScheduleStore } from './admission.js';

/** At most this many places in one write: a batch's last place is this many spacings after its first. */
export const MAX_BATCH = 32;

interface Waiting {
  readonly busy: boolean;
  readonly limit: number;
  readonly resolve: (booking: Booking | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * `store` with the bookings of this instance batched by shard. `clock` is read as a batch is sent:
 * the later of its members' clocks, so no place is handed out before the moment it is booked.
 */
export function batchedBookings(store: ScheduleStore, clock: () => number): ScheduleStore {
  /** Shards with a write in flight, and who waits for it to end. */
  const waiting = new Map<number, Waiting[]>();

  /** Member i's own place within a batch booked from `booking`. */
  function placeOf(booking: Booking, i: number, spacingMs: number): Booking {
    return { at: booking.at + i * spacingMs, next: booking.next };
  }

  async function send(shard: number, spacingMs: number, batch: readonly Waiting[]): Promise<void> {
    // The batch's limit: each member's place (i spacings after the first) before that member's limit.
    const limit = Math.min(...batch.map((member, i) => member.limit - i * spacingMs));
    const last = batch[batch.length - 1];
    try {
      const booking = await store.book(shard, clock(), spacingMs, {
        busy: last?.busy ?? false,
        limit,
        count: batch.length,
      });
      if (booking !== undefined || batch.length === 1) {
        batch.forEach((member, i) => {
          member.resolve(booking && placeOf(booking, i, spacingMs));
        });
        return;
      }
      // Not all of them fit before their limits (a full queue, a pace taken to its hold): each is
      // booked on its own, as without batches, so those that fit still get a place.
      await Promise.all(
        batch.map(async (member) => {
          member.resolve(await store.book(shard, clock(), spacingMs, { busy: true, limit: member.limit }));
        }),
      );
    } catch (error) {
      for (const member of batch) member.reject(error);
    }
  }

  /** Sends what waits for `shard`, batch after batch, until no one does. */
  async function drain(shard: number, spacingMs: number): Promise<void> {
    for (;;) {
      const queue = waiting.get(shard) ?? [];
      if (queue.length === 0) {
        waiting.delete(shard);
        return;
      }
      await send(shard, spacingMs, queue.splice(0, MAX_BATCH));
    }
  }

  return {
    book(shard, now, spacingMs, { busy, limit, count = 1 }) {
      // A caller booking several places at once is not batched with others.
      if (count !== 1) return store.book(shard, now, spacingMs, { busy, limit, count });
      return new Promise<Booking | undefined>((resolve, reject) => {
        const queue = waiting.get(shard);
        const member = { busy, limit, resolve, reject };
        if (queue) {
          queue.push(member); // a write to this shard is in flight: go with the next one
          return;
        }
        waiting.set(shard, [member]);
        void drain(shard, spacingMs);
      });
    },
  };
}
