/**
 * Bookings made together share one write: with a schedule that holds each write until the test lets
 * it go, what waits is sent as one batch, in arrival order, on the places single bookings would get;
 * a batch that does not fit falls back to single bookings; a failed write fails its whole batch.
 * The same through the table (dynalite): two instances batching at once still get every place once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  book,
  type Booking,
  type ScheduleStore,
} from '../../../../../services/token-vending/features/chat-tokens/admission.js';
import { tableSchedule } from '../../../../../services/token-vending/features/chat-tokens/admission-store.js';
import {
  MAX_BATCH,
  batchedBookings,
} from '../../../../../services/token-vending/features/chat-tokens/booking-batches.js';
import { freshTable, patientClient } from '../../support/table.js';

const START = 1_800_000_000_000;
const SPACING = 8000 / 190;
const open = { busy: false, limit: Number.POSITIVE_INFINITY };

interface Write {
  readonly shard: number;
  readonly count: number;
  readonly limit: number;
  release(): void;
  fail(error: Error): void;
}

/** GCRA's step in a map, each write held until released (so the test decides what is in flight). */
function heldSchedule(): ScheduleStore & { writes: Write[]; next: Map<number, number> } {
  const next = new Map<number, number>();
  const writes: Write[] = [];
  return {
    writes,
    next,
    book(shard, now, spacingMs, { limit, count = 1 }) {
      return new Promise<Booking | undefined>((resolve, reject) => {
        writes.push({
          shard,
          count,
          limit,
          release() {
            const first = book(next.get(shard), now, spacingMs);
            if (first.at + (count - 1) * spacingMs >= limit) {
              resolve(undefined);
              return;
            }
            const booking = { at: first.at, next: first.at + count * spacingMs };
            next.set(shard, booking.next);
            resolve(booking);
          },
          fail: reject,
        });
      });
    },
  };
}

/** Lets the promise callbacks queued so far run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batchedBookings', () => {
  it('sends what waits for a write in flight as one write, in arrival order, on the same places', async () => {
    const store = heldSchedule();
    const batched = batchedBookings(store, () => START);

    const first = batched.book(0, START, SPACING, open);
    const waiting = Array.from({ length: 5 }, () => batched.book(0, START, SPACING, open));
    const otherShard = batched.book(1, START, SPACING, open);
    await settle();
    assert.deepEqual(
      store.writes.map((write) => [write.shard, write.count]),
      [
        [0, 1],
        [1, 1],
      ],
      'one write a shard in flight; the five wait',
    );

    store.writes[0]?.release();
    store.writes[1]?.release();
    await settle();
    assert.deepEqual(store.writes[2] && [store.writes[2].shard, store.writes[2].count], [0, 5]);
    store.writes[2]?.release();

    const places = await Promise.all([first, ...waiting]);
    assert.deepEqual(
      places.map((booking) => booking && Math.round((booking.at - START) / SPACING)),
      [0, 1, 2, 3, 4, 5],
    );
    // Each is told the shard's next free place as its own write left it.
    assert.deepEqual(
      places.map((booking) => booking && Math.round((booking.next - START) / SPACING)),
      [1, 6, 6, 6, 6, 6],
    );
    assert.deepEqual(await otherShard, { at: START, next: START + SPACING });
    assert.equal(store.writes.length, 3);
  });

  it(`sends at most ${MAX_BATCH} places in one write`, async () => {
    const store = heldSchedule();
    const batched = batchedBookings(store, () => START);

    const all = Array.from({ length: 1 + MAX_BATCH + 3 }, () => batched.book(0, START, SPACING, open));
    for (let round = 0; round < 3; round++) {
      await settle();
      store.writes[round]?.release();
    }

    const places = await Promise.all(all);
    assert.deepEqual(
      store.writes.map((write) => write.count),
      [1, MAX_BATCH, 3],
    );
    assert.deepEqual(
      places.map((booking) => booking && Math.round((booking.at - START) / SPACING)),
      Array.from({ length: places.length }, (_, i) => i),
    );
  });

  it('gives each of a batch that does not fit its limit its own booking: those before their limit get places', async () => {
    const store = heldSchedule();
    const batched = batchedBookings(store, () => START);
    const limit = START + 2.5 * SPACING; // three places fit: START, +1, +2 spacings

    const first = batched.book(0, START, SPACING, { busy: true, limit });
    const batch = Array.from({ length: 4 }, () => batched.book(0, START, SPACING, { busy: true, limit }));
    await settle();
    store.writes[0]?.release();
    await settle();
    assert.equal(store.writes[1]?.count, 4);
    store.writes[1].release(); // four from +1 do not fit: each is booked alone
    await settle();
    for (const write of store.writes.slice(2)) write.release();

    const places = await Promise.all([first, ...batch]);
    assert.deepEqual(
      store.writes.slice(2).map((write) => write.count),
      [1, 1, 1, 1],
    );
    assert.deepEqual(
      places.map((booking) => booking && Math.round((booking.at - START) / SPACING)),
      [0, 1, 2, undefined, undefined],
    );
  });

  it('fails every booking of a write that fails, and books the next arrivals afresh', async () => {
    const store = heldSchedule();
    const batched = batchedBookings(store, () => START);

    const first = batched.book(0, START, SPACING, open);
    const batch = Array.from({ length: 3 }, () => batched.book(0, START, SPACING, open));
    await settle();
    store.writes[0]?.release();
    await settle();
    store.writes[1]?.fail(new Error('table unavailable'));
    const results = await Promise.allSettled(batch);
    const after = batched.book(0, START, SPACING, open);
    await settle();
    store.writes[2]?.release();

    assert.deepEqual(await first, { at: START, next: START + SPACING });
    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected', 'rejected'],
    );
    assert.deepEqual(await after, { at: START + SPACING, next: START + 2 * SPACING });
  });

  it('hands two batching instances on one table every place once, in fewer writes than bookings', async () => {
    const table = await freshTable();
    // Patient (30 s): dynalite on a loaded machine must not turn slow writes into a failed test.
    const client = patientClient();
    let writes = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        writes += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const patient = { name: table.name, client };
    const one = batchedBookings(tableSchedule(patient), () => START);
    const other = batchedBookings(tableSchedule(patient), () => START);

    const bookings = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        (i % 2 === 0 ? one : other).book(0, START, SPACING, { ...open, busy: i > 1 }),
      ),
    );

    const places = bookings.map((booking) => booking?.at ?? Number.NaN).sort((a, b) => a - b);
    places.forEach((at, i) => {
      assert.ok(Math.abs(at - (START + i * SPACING)) < 0.01, `place ${i} is ${at - START}`);
    });
    assert.ok(writes < 20, `80 bookings took ${writes} writes`);
  });
});
