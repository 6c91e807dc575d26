/**
 * Admission's arithmetic with an injected clock and the schedule in a map: places, whole-second
 * rounding, tickets, shards, who goes first, and what IVS's token bucket (the emulator's own limiter,
 * 200 a second holding one second's worth) makes of the calls that result.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Admission,
  FULL_RETRY_SECONDS,
  HORIZON_MS,
  PACE_HOLD_MS,
  PACE_TOLERANCE_MS,
  ShardChooser,
  TICKET_EARLY_MS,
  TICKET_LATE_MS,
  book,
  planFor,
  readTicket,
  signTicket,
  paceWait,
  ticketTime,
  verdictFor,
  type AdmissionOutcome,
  type ScheduleStore,
  type TicketSubject,
} from '../../../../../services/token-vending/features/chat-tokens/admission.js';
import { RateLimiter } from '../../../../../services/local-ivschat/rate-limit.js';

const KEY = Buffer.alloc(32, 7);
const START = 1_800_000_000_000;
const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';

/** A seeded generator (mulberry32), so every run draws the same shards. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The schedule in a map: GCRA's step exactly, and a count of bookings and of tries. */
function mapSchedule(): ScheduleStore & { bookings: number; tries: number; shards: Map<number, number> } {
  const shards = new Map<number, number>();
  const store = {
    bookings: 0,
    tries: 0,
    shards,
    book(shard: number, now: number, spacingMs: number, options: { limit: number }) {
      store.tries += 1;
      const booking = book(shards.get(shard), now, spacingMs);
      if (booking.at >= options.limit) return Promise.resolve(undefined);
      shards.set(shard, booking.next);
      store.bookings += 1;
      return Promise.resolve(booking);
    },
  };
  return store;
}

/** Every shard of a schedule taken up to `at` (its next free place), as other instances' bookings leave it. */
function takenUntil(store: { shards: Map<number, number> }, at: number): void {
  for (let shard = 0; shard < 8; shard++) store.shards.set(shard, at);
}

function admission(tps: number, clock: { now: number }, schedule = mapSchedule(), pace = mapSchedule()) {
  return {
    schedule,
    pace,
    admission: new Admission({
      tps,
      schedule,
      pace,
      ticketKey: () => Promise.resolve(KEY),
      clock: () => clock.now,
      random: seeded(21),
    }),
  };
}

const subject = (i: number): TicketSubject => ({ caller: `sub:viewer-${i}`, roomArn: ROOM });

/** How many of `times` IVS's bucket (the emulator's, at `rate`) would throttle. */
function throttled(times: readonly number[], rate: number): number {
  const bucket = new RateLimiter();
  return [...times].sort((a, b) => a - b).filter((at) => !bucket.tryTake(at, rate)).length;
}

interface Crowd {
  /** When each CreateChatToken call is made. */
  readonly calls: number[];
  /** Requests by viewer. */
  readonly requests: Map<number, number>;
  /** Admissions by way in. */
  readonly via: Map<string, number>;
}

/**
 * A crowd through admission, request by request in time order: viewer i arrives at `arrivals[i]` and
 * comes back with their ticket when told; `handled` says when a request sent at a time is handled
 * (a stall, a backlog), by default at once.
 */
async function simulate(
  gate: Admission,
  clock: { now: number },
  arrivals: readonly number[],
  handled: (at: number, ticket: string | undefined) => number = (at) => at,
): Promise<Crowd> {
  const pending = arrivals.map((at, viewer) => ({ at, viewer, ticket: undefined as string | undefined }));
  pending.sort((a, b) => b.at - a.at); // the next one last
  const crowd: Crowd = { calls: [], requests: new Map(), via: new Map() };
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    clock.now = next.at;
    crowd.requests.set(next.viewer, (crowd.requests.get(next.viewer) ?? 0) + 1);
    const outcome = await gate.admit({ subject: subject(next.viewer), priority: false, ticket: next.ticket });
    if (outcome.admitted) {
      crowd.calls.push(next.at + outcome.waitMs);
      crowd.via.set(outcome.via, (crowd.via.get(outcome.via) ?? 0) + 1);
      continue;
    }
    assert.notEqual(outcome.why, 'full');
    const back = {
      at: handled(next.at + outcome.retryAfterSeconds * 1000, outcome.ticket),
      viewer: next.viewer,
      ticket: outcome.ticket,
    };
    // Kept in order, latest first (a binary search for its place).
    let low = 0;
    let high = pending.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((pending[middle]?.at ?? 0) > back.at) low = middle + 1;
      else high = middle;
    }
    pending.splice(low, 0, back);
  }
  return crowd;
}

describe('planFor', () => {
  it('cuts 190 a second into 8 shards, and a low rate into one', () => {
    assert.deepEqual(planFor(190), { tps: 190, shards: 8, spacingMs: 8000 / 190 });
    assert.equal(planFor(19).shards, 1);
    assert.equal(planFor(40).shards, 2);
    assert.equal(planFor(1).spacingMs, 1000);
  });
});

describe('book and verdictFor', () => {
  it("takes the shard's next place when it is ahead, now when it is past or unknown", () => {
    assert.deepEqual(book(undefined, 1000, 50), { at: 1000, next: 1050 });
    assert.deepEqual(book(900, 1000, 50), { at: 1000, next: 1050 });
    assert.deepEqual(book(4000, 1000, 50), { at: 4000, next: 4050 });
  });

  it('serves a place less than half a second ahead now, and rounds the rest to whole seconds', () => {
    assert.deepEqual(verdictFor(1499, 1000), { now: true });
    assert.deepEqual(verdictFor(1500, 1000), { now: false, retryAfterSeconds: 1, due: 2000 });
    assert.deepEqual(verdictFor(2499, 1000), { now: false, retryAfterSeconds: 1, due: 2000 });
    assert.deepEqual(verdictFor(2500, 1000), { now: false, retryAfterSeconds: 2, due: 3000 });
  });
});

describe('tickets', () => {
  it('are read back for the same caller and room only', () => {
    const ticket = signTicket(KEY, subject(1), START + 3000);

    assert.equal(readTicket(KEY, subject(1), ticket), START + 3000);
    assert.equal(readTicket(KEY, subject(2), ticket), undefined);
    assert.equal(readTicket(KEY, { ...subject(1), roomArn: `${ROOM}x` }, ticket), undefined);
    assert.equal(readTicket(Buffer.alloc(32, 8), subject(1), ticket), undefined);
  });

  it('refuse a changed time, a changed MAC and anything not shaped like one', () => {
    const ticket = signTicket(KEY, subject(1), START + 3000);
    const [time = '', mac = ''] = ticket.split('.');
    const later = `${(START + 1000).toString(36)}.${mac}`;
    const flipped = `${time}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;

    for (const bad of [later, flipped, '', '.', 'x', `${ticket}.`, `${time}.${mac}=`, 'z'.repeat(500)]) {
      assert.equal(readTicket(KEY, subject(1), bad), undefined, bad);
    }
  });

  it('are due from half a second before their time to a minute after', () => {
    const due = START + 5000;

    assert.deepEqual(ticketTime(due, due - TICKET_EARLY_MS - 1), { kind: 'early', retryAfterSeconds: 1 });
    assert.deepEqual(ticketTime(due, due - 3200), { kind: 'early', retryAfterSeconds: 4 });
    assert.deepEqual(ticketTime(due, due - TICKET_EARLY_MS), { kind: 'due' });
    // A return held 30 s behind a crowd's first requests keeps its turn.
    assert.deepEqual(ticketTime(due, due + 30_000), { kind: 'due' });
    assert.deepEqual(ticketTime(due, due + TICKET_LATE_MS), { kind: 'due' });
    assert.deepEqual(ticketTime(due, due + TICKET_LATE_MS + 1), { kind: 'stale' });
  });
});

describe('ShardChooser', () => {
  it('spreads requests in flight together evenly over the shards', () => {
    const chooser = new ShardChooser(planFor(190), seeded(3));
    const counts = new Map<number, number>();

    for (let i = 0; i < 800; i++) {
      const { shard } = chooser.choose(START);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }

    assert.equal(counts.size, 8);
    for (const count of counts.values()) assert.ok(Math.abs(count - 100) <= 2, `${count} on one shard`);
  });

  it('books where the schedule is known to be shortest, and says whether that shard is busy', () => {
    const plan = planFor(190);
    const chooser = new ShardChooser(plan, seeded(3));
    for (let shard = 0; shard < plan.shards; shard++) chooser.saw(shard, START + 60_000);
    chooser.saw(5, START + 60_000); // never lowers what it saw
    const shorter = new ShardChooser(plan, seeded(3));
    for (let shard = 0; shard < plan.shards; shard++) {
      shorter.saw(shard, shard === 6 ? START - 5000 : START + 60_000);
    }

    assert.equal(chooser.choose(START).busy, true);
    assert.deepEqual(shorter.choose(START), { shard: 6, busy: false });
  });
});

describe('Admission', () => {
  it('places a crowd arriving at once in arrival order, about 190 for each coming second', async () => {
    const clock = { now: START };
    const { admission: gate } = admission(190, clock);

    const outcomes: AdmissionOutcome[] = [];
    for (let i = 0; i < 2000; i++)
      outcomes.push(await gate.admit({ subject: subject(i), priority: false, ticket: undefined }));

    // The pace's 8 shards are idle: the first 8 take a place on it each, no one being queued yet.
    const spare = outcomes.slice(0, 8);
    assert.ok(spare.every((outcome) => outcome.admitted && outcome.via === 'spare'));
    const queued = outcomes.slice(8);
    const waits = queued.map((outcome) => (outcome.admitted ? 0 : outcome.retryAfterSeconds));
    const perSecond = new Map<number, number>();
    for (const wait of waits) perSecond.set(wait, (perSecond.get(wait) ?? 0) + 1);
    // Served now: the places less than half a second ahead; then one second's rate per second.
    assert.ok(Math.abs((perSecond.get(0) ?? 0) - 95) <= 8, `${perSecond.get(0)} now`);
    assert.ok(queued.every((outcome) => !outcome.admitted || outcome.via === 'schedule'));
    for (let second = 1; second <= 9; second++) {
      const count = perSecond.get(second) ?? 0;
      assert.ok(count >= 190 - 8 && count <= 190 + 8, `${count} told to come back in ${second} s`);
    }
    // Arrival order is kept to within a second (shards are filled evenly, not in strict turn).
    for (let i = 1; i < waits.length; i++) assert.ok((waits[i] ?? 0) >= (waits[i - 1] ?? 0) - 1);
    assert.ok(outcomes.every((outcome) => outcome.admitted || outcome.ticket !== undefined));
  });

  it("makes calls IVS's bucket takes without a throttle, even when the whole crowd comes at one instant", async () => {
    const clock = { now: START };
    const { admission: gate } = admission(190, clock);

    const { calls } = await simulate(
      gate,
      clock,
      Array.from({ length: 5000 }, () => START),
    );

    assert.equal(calls.length, 5000);
    assert.equal(throttled(calls, 200), 0);
  });

  it('holds a steady 300 arrivals a second to 190 calls a second with no throttle', async () => {
    const clock = { now: START };
    const { admission: gate } = admission(190, clock);
    const random = seeded(5);

    // 20 s of arrivals, a little jitter; each comes back on time when told.
    const arrivals = Array.from({ length: 6000 }, (_, i) => START + i * (1000 / 300) + random() * 3);
    const { calls, via, requests } = await simulate(gate, clock, arrivals);

    assert.equal(calls.length, 6000);
    assert.equal(throttled(calls, 200), 0);
    const seconds = (Math.max(...calls) - START) / 1000;
    const rate = calls.length / seconds;
    assert.ok(rate > 185, `${rate.toFixed(1)} calls a second`);
    // At most the pace's bound (admission.ts): TPS x (L + tolerance) + one a shard, over the L seconds.
    assert.ok(calls.length <= 190 * (seconds + PACE_TOLERANCE_MS / 1000) + 8, `${rate.toFixed(1)} a second`);
    // With the returns on time the pace is busy but for moments (returns come in whole seconds): a few
    // arrivals take those places (102 here, 1.7 %), and it costs no one a request: none is paced back.
    assert.ok((via.get('spare') ?? 0) <= 0.03 * 6000, `${via.get('spare')} past the queue`);
    assert.ok(Math.max(...requests.values()) <= 2);
  });

  it('gives the calls that late returns leave unused to those arriving meanwhile, with no throttle', async () => {
    const clock = { now: START };
    const { admission: gate } = admission(190, clock);
    // 500 arrivals a second for 12 s, handled as they come; every return sent before 12 s is stuck
    // behind them until then (one instance answering its requests in order, its CPU short).
    const stuckUntil = START + 12_000;
    const arrivals = Array.from({ length: 6000 }, (_, i) => START + i * 2);
    const { calls, via } = await simulate(gate, clock, arrivals, (at, ticket) =>
      ticket !== undefined && at < stuckUntil ? stuckUntil : at,
    );

    assert.equal(calls.length, 6000);
    assert.equal(throttled(calls, 200), 0);
    // IVS's share of those 11 seconds is used (190 a second), by callers arriving then.
    const meanwhile = calls.filter((at) => at >= START + 1000 && at < stuckUntil).length;
    assert.ok(meanwhile >= 0.95 * 190 * 11, `${meanwhile} calls from 1 s to 12 s`);
    assert.ok((via.get('spare') ?? 0) >= meanwhile - 200);
    // So no second of IVS's rate is lost: the last call comes when 6,000 at 190 a second would end
    // (31.6 s; 42 s if the 11 s were lost). The cost is requests: the returns all handled at 12 s are
    // sent back each second until the pace has room for them (6 a viewer on average here).
    const last = Math.max(...calls) - START;
    assert.ok(last <= (6000 / 190) * 1000 + 1000, `the last call at ${last} ms`);
  });

  it('looks again a spacing after a shard was taken once (two instances looked at once)', async () => {
    const clock = { now: START };
    const { admission: gate, pace } = admission(20, clock); // one shard, 50 ms apart
    pace.shards.set(0, START + 60); // another instance's call, just booked

    const first = await gate.admit({ subject: subject(1), priority: false, ticket: undefined });
    // The pace is idle again 110 ms on (the other call, then first's own).
    clock.now += 200;
    const second = await gate.admit({ subject: subject(2), priority: false, ticket: undefined });

    assert.ok(first.admitted && first.via === 'schedule', 'taken: queued (its place is now)');
    assert.ok(second.admitted && second.via === 'spare', 'soon after: the idle pace, looked at again');
  });

  it('serves a ticket at its time without booking again, and an early one is told to wait the rest', async () => {
    const clock = { now: START };
    const { admission: gate, schedule } = admission(190, clock);
    for (let i = 0; i < 300; i++)
      await gate.admit({ subject: subject(i), priority: false, ticket: undefined });
    const queued = await gate.admit({ subject: subject(999), priority: false, ticket: undefined });
    assert.ok(!queued.admitted && queued.why === 'scheduled' && queued.ticket !== undefined);
    const bookings = schedule.bookings;

    clock.now = START + queued.retryAfterSeconds * 1000 - 1500;
    const early = await gate.admit({ subject: subject(999), priority: false, ticket: queued.ticket });
    clock.now = START + queued.retryAfterSeconds * 1000 + 40;
    const due = await gate.admit({ subject: subject(999), priority: false, ticket: queued.ticket });
    const someoneElse = await gate.admit({ subject: subject(998), priority: false, ticket: queued.ticket });

    assert.deepEqual(early, { admitted: false, why: 'early', retryAfterSeconds: 2, ticket: queued.ticket });
    assert.deepEqual(due, { admitted: true, via: 'ticket', waitMs: 0 });
    // Another caller's ticket is no ticket: they are served like anyone arriving now (the queue is gone
    // by now, and the pace idle), not as the ticket's holder.
    assert.deepEqual(someoneElse, { admitted: true, via: 'spare', waitMs: 0 });
    assert.equal(schedule.bookings, bookings);
  });

  it('books a lapsed ticket again, as a newcomer', async () => {
    const clock = { now: START };
    const { admission: gate, schedule, pace } = admission(190, clock);
    // A queue 3 s long, whose returns keep the pace busy.
    takenUntil(schedule, START + 3000);
    takenUntil(pace, START + 400);
    const ticket = signTicket(KEY, subject(1), START - TICKET_LATE_MS - 1);

    const outcome = await gate.admit({ subject: subject(1), priority: false, ticket });

    assert.ok(!outcome.admitted && outcome.why === 'scheduled' && outcome.retryAfterSeconds === 3);
    assert.equal(schedule.bookings, 1);
  });

  it("serves a room's owner and moderators at once at the back of a long queue, and counts their call", async () => {
    const clock = { now: START };
    const { admission: gate, schedule } = admission(190, clock);
    let spare = 0;
    for (let i = 0; i < 3000; i++) {
      const outcome = await gate.admit({ subject: subject(i), priority: false, ticket: undefined });
      if (outcome.admitted && outcome.via === 'spare') spare += 1;
    }
    const before = await gate.admit({ subject: subject(3001), priority: false, ticket: undefined });

    const owner = await gate.admit({ subject: subject(-1), priority: true, ticket: undefined });
    const after = await gate.admit({ subject: subject(3002), priority: false, ticket: undefined });

    // At once: no queue, only the pace (the calls being made this second) before them.
    assert.ok(owner.admitted && owner.via === 'priority' && owner.waitMs <= PACE_HOLD_MS);
    assert.ok(!before.admitted && before.retryAfterSeconds >= 15, 'the queue is 15 s long');
    assert.ok(!after.admitted && after.retryAfterSeconds >= before.retryAfterSeconds);
    // Each queued caller's place, and the owner's (the first few took the idle pace's places instead).
    assert.equal(spare, 8);
    assert.equal(schedule.bookings, 3003 - spare);
  });

  it('refuses without a place, to come back in 30 to 60 s, when the schedule is full to the horizon', async () => {
    const clock = { now: START };
    const schedule = mapSchedule();
    const pace = mapSchedule();
    takenUntil(schedule, START + HORIZON_MS + 1);
    takenUntil(pace, START + 400); // the returns of this second keep it busy
    const { admission: gate } = admission(190, clock, schedule, pace);

    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        gate.admit({ subject: subject(i), priority: false, ticket: undefined }),
      ),
    );
    const owner = await gate.admit({ subject: subject(-1), priority: true, ticket: undefined });

    for (const outcome of outcomes) {
      assert.ok(!outcome.admitted && outcome.why === 'full' && outcome.ticket === undefined);
      assert.ok(
        outcome.retryAfterSeconds >= FULL_RETRY_SECONDS.min &&
          outcome.retryAfterSeconds <= FULL_RETRY_SECONDS.max,
      );
    }
    assert.ok(new Set(outcomes.map((outcome) => !outcome.admitted && outcome.retryAfterSeconds)).size > 5);
    assert.deepEqual(owner, { admitted: true, via: 'priority', waitMs: 0 });
    assert.equal(schedule.bookings, 1);
  });

  it('paces calls that come bunched: up to the tolerance at once, the hold waited, the rest back in a second', async () => {
    const clock = { now: START };
    const { admission: gate, pace } = admission(190, clock);
    // 600 callers whose tickets are all due at this instant (they were late, or the service was).
    const outcomes: AdmissionOutcome[] = [];
    for (let i = 0; i < 600; i++) {
      const ticket = signTicket(KEY, subject(i), START);
      outcomes.push(await gate.admit({ subject: subject(i), priority: false, ticket }));
    }

    const admitted = outcomes.flatMap((outcome) => (outcome.admitted ? [outcome] : []));
    const waits = admitted.map((outcome) => outcome.waitMs);
    const atOnce = waits.filter((wait) => wait === 0).length;
    // The tolerance's worth at once (190 x 0.5 s), the hold's worth spread over the next second.
    assert.ok(Math.abs(atOnce - 0.19 * PACE_TOLERANCE_MS) <= 8, `${atOnce} at once`);
    assert.ok(
      Math.abs(admitted.length - 0.19 * (PACE_TOLERANCE_MS + PACE_HOLD_MS)) <= 8,
      `${admitted.length}`,
    );
    assert.ok(Math.max(...waits) <= PACE_HOLD_MS);
    outcomes.forEach((outcome, i) => {
      if (outcome.admitted) return;
      assert.ok(outcome.why === 'paced' && outcome.retryAfterSeconds === 1);
      // A new ticket for a second on, so their turn is kept.
      assert.equal(readTicket(KEY, subject(i), outcome.ticket ?? ''), START + 1000);
    });
    assert.equal(pace.bookings, admitted.length);
    assert.equal(
      throttled(
        admitted.map((outcome) => START + outcome.waitMs),
        200,
      ),
      0,
    );
  });

  it('keeps IVS unthrottled when a stalled service takes 5 s of retries in at once, and serves each caller', async () => {
    const clock = { now: START };
    const { admission: gate } = admission(190, clock);
    // 3,000 arriving within a second, each coming back Retry-After later. The service stalls from 4 s
    // to 9 s (a pause, a backlog): every request that reaches it meanwhile is handled at 9 s.
    const stall = { from: START + 4000, to: START + 9000 };
    const handled = (at: number): number => (at >= stall.from && at < stall.to ? stall.to : at);
    const pending = Array.from({ length: 3000 }, (_, i) => ({
      at: START + i / 3,
      viewer: i,
      ticket: undefined as string | undefined,
    }));
    const calls: number[] = [];
    const requests = new Map<number, number>();
    while (pending.length > 0) {
      pending.sort((a, b) => a.at - b.at);
      const next = pending.shift();
      if (next === undefined) break;
      clock.now = next.at;
      requests.set(next.viewer, (requests.get(next.viewer) ?? 0) + 1);
      const outcome = await gate.admit({
        subject: subject(next.viewer),
        priority: false,
        ticket: next.ticket,
      });
      if (outcome.admitted) {
        calls.push(next.at + outcome.waitMs);
        continue;
      }
      assert.notEqual(outcome.why, 'full');
      pending.push({
        at: handled(next.at + outcome.retryAfterSeconds * 1000),
        viewer: next.viewer,
        ticket: outcome.ticket,
      });
    }

    assert.equal(calls.length, 3000);
    assert.equal(throttled(calls, 200), 0);
    // The cost: those the stall held back ask again each second until the pace has room for them.
    const perViewer = [...requests.values()];
    const mean = perViewer.reduce((sum, count) => sum + count, 0) / perViewer.length;
    // (4.3 on average here: a 5 s stall at full rate is about 950 calls owed on top of the queue.)
    assert.ok(mean <= 5, `${mean.toFixed(2)} requests a viewer`);
    // Everyone is served within the stall's length of the ideal (3,000 at 190 a second: 15.8 s).
    assert.ok(
      Math.max(...calls) - START <= 15_800 + 5000,
      `the last call at ${Math.max(...calls) - START} ms`,
    );
  });

  it('makes a call with no wait at its place, up to the tolerance ahead of it', () => {
    assert.equal(paceWait(START, START), 0);
    assert.equal(paceWait(START + PACE_TOLERANCE_MS, START), 0);
    assert.equal(paceWait(START + PACE_TOLERANCE_MS + 300, START), 300);
    assert.equal(paceWait(START - 5000, START), 0);
  });

  it('refuses a rate under one call a second', () => {
    assert.throws(() => admission(0, { now: START }), RangeError);
  });
});
