/**
 * Admission at IVS's CreateChatToken quota: 200 calls a second per account and region, not adjustable
 * (IVS Chat service quotas). Every instance books each CreateChatToken call on one schedule kept in
 * the table before it makes the call, so that across all instances the calls keep to
 * TOKEN_ADMISSION_TPS. A caller who cannot be served now is told when to come back (503
 * `upstream_busy`, `Retry-After`) with a signed ticket for that time: their retry is served without
 * being booked again, so each admitted caller costs one place on the schedule and about two requests.
 *
 * The schedule is GCRA (the generic cell rate algorithm, "virtual scheduling"): a shard remembers the
 * next free place on it (`tat`); a call takes the later of that place and now, and moves it one
 * spacing (1 / the shard's rate) on. Places are handed out in the order the writes reach the item, so
 * callers are placed in arrival order and spread evenly over the coming seconds, never in waves.
 *
 * Shards. One item taking every token request's write would make a DynamoDB partition's 1,000 writes
 * a second the new limit. The schedule is cut into up to 8 shards, each its own partition with an
 * equal share of the rate, and a request books on the shard this instance last saw with the earliest
 * free place (a random one among equals), so shards fill evenly and order holds across them to within
 * a spacing or two. 8 shards take 8,000 writes a second (more bookings: an instance's bookings made
 * together share a write, booking-batches.ts); each shard keeps at least 20 calls a second,
 * so rounding to whole seconds (below) moves at most one call per shard across a second's boundary.
 *
 * Whole seconds. Retry-After counts whole seconds, so a place is rounded to the nearest second from
 * now: a place less than half a second ahead is served at once, and a caller's call lands within half
 * a second of its place. In any window of L seconds the calls made are then at most TPS x (L + 1) +
 * shards, which IVS's token bucket (200 a second, holding one second's worth; how the emulator models
 * it) takes for any L when TPS + shards <= 200: 190 + 8 at the defaults.
 *
 * Who goes first: a room's owner and moderators, and admins, are served at once. Their call is booked
 * like any other (so the rate holds over time, and everyone queued moves back one place), but not
 * waited for.
 *
 * The pace of the calls themselves. The queue above spreads callers, but a caller's call happens when
 * their request gets here: a retry that comes seconds late (a slow client, a service with a backlog)
 * would land on top of the callers due then, and enough of them together exceed IVS's bucket. So every
 * call is also booked, just before it is made, on a second schedule of the same shape (the pace), with
 * a tolerance: a call may run up to PACE_TOLERANCE_MS ahead of the pace, and one placed later waits
 * here, in the request, up to PACE_HOLD_MS. In any window of L seconds the calls are then at most
 * TPS x (L + tolerance) + shards, which the bucket takes (190 x 1.5 + 8 < 200 x 1 + 200). A call the
 * pace cannot place within the hold is answered 503 `upstream_busy` with Retry-After 1 and a ticket
 * for then, so the caller keeps their turn; on time, that does not happen, since the queue places
 * callers at the pace's rate.
 *
 * Capacity no one uses. A place on the queue is a promise of a call at that time, and a return that
 * does not come then leaves IVS's share of that moment unused, for good: the bucket holds one second's
 * worth. Returns come late when the requests ahead of them are slow to be answered: an instance with
 * more requests than its CPU answers serves them in the order they came, so at a crowd's start the
 * returns wait behind the crowd's first requests (20,000 arrivals in 10 s on 2 cores: the pace stood
 * idle for 15 s while tickets for those seconds waited; docs/benchmarks.md). So a caller arriving while
 * this instance believes a shard of the pace idle (its next place past) is served at once, on that
 * shard, if the place is still free within one spacing of now; the queue is not booked. When returns
 * come on time the pace is busy and this does not happen, so arrival order holds; every call is still
 * booked on the pace, so IVS's bucket bound above is unchanged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The response header carrying a ticket, and the request header a caller sends it back in. */
export const ADMISSION_TICKET_HEADER = 'Admission-Ticket';
/** How far ahead a caller may be placed; beyond, they are refused without a place. */
export const HORIZON_MS = 300_000;
/** A place less than this far ahead is served now (Retry-After counts whole seconds). */
export const NOW_WITHIN_MS = 500;
/**
 * A ticket is honoured from this long before its time: instances' clocks differ by milliseconds, and
 * a client waits Retry-After from when it read the answer, which is after this service's now.
 */
export const TICKET_EARLY_MS = 500;
/**
 * ...until this long after it; later, they queue again. A return is late when the client was slowed
 * (its machine, its network) or when the requests ahead of it were: an instance with more requests
 * than its CPU answers serves them in the order they came, so at a crowd's start the returns queue
 * behind the crowd's first requests. 20,000 arrivals in 10 s on 2 cores held returns up to 20 s; with
 * 10 s here they were all queued again, and no token was made from the 10th second to the 30th
 * (docs/benchmarks.md). Honouring a late ticket costs no one the rate: the call is still booked on the
 * pace.
 */
export const TICKET_LATE_MS = 60_000;
/** How far a call may run ahead of the pace (a burst IVS's bucket of one second's worth takes). */
export const PACE_TOLERANCE_MS = 500;
/** A call the pace places at most this far ahead waits for its place in the request. */
export const PACE_HOLD_MS = 1_000;
/** Each shard admits at least this many calls a second: fewer shards below 40 TPS. */
const MIN_SHARD_TPS = 20;
const MAX_SHARDS = 8;
/** With the schedule full to the horizon: come back after a random wait in this range (no place). */
export const FULL_RETRY_SECONDS = { min: 30, max: 60 } as const;

export interface AdmissionPlan {
  readonly tps: number;
  readonly shards: number;
  /** Milliseconds between two places on one shard. */
  readonly spacingMs: number;
}

/** The shards and spacing for a rate (calls a second across all instances, at least 1). */
export function planFor(tps: number): AdmissionPlan {
  const shards = Math.min(MAX_SHARDS, Math.max(1, Math.floor(tps / MIN_SHARD_TPS)));
  return { tps, shards, spacingMs: (1000 * shards) / tps };
}

/** A place on a shard, and the shard's next free place after it. */
export interface Booking {
  readonly at: number;
  readonly next: number;
}

/** GCRA's step: a call at `now` takes the later of the next free place and now; the next is one on. */
export function book(nextFree: number | undefined, now: number, spacingMs: number): Booking {
  const at = nextFree === undefined ? now : Math.max(nextFree, now);
  return { at, next: at + spacingMs };
}

/**
 * When a call booked on the pace at `at` (the shard's next free place, or now) is made: up to the
 * tolerance ahead of its place, never before now.
 */
export function paceWait(at: number, now: number): number {
  return Math.max(0, at - PACE_TOLERANCE_MS - now);
}

export type Verdict =
  { readonly now: true } | { readonly now: false; readonly retryAfterSeconds: number; readonly due: number };

/** When a caller placed `at` is served: now, or after a whole number of seconds (the nearest). */
export function verdictFor(at: number, now: number): Verdict {
  const wait = at - now;
  if (wait < NOW_WITHIN_MS) return { now: true };
  const seconds = Math.round(wait / 1000);
  return { now: false, retryAfterSeconds: seconds, due: now + seconds * 1000 };
}

/** Who a ticket is for: it is honoured only for the same caller and room. */
export interface TicketSubject {
  /** `sub:<JWT sub>`, or `ip:<address>` for an anonymous caller. */
  readonly caller: string;
  readonly roomArn: string;
}

const TICKET = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/;

function ticketMac(key: Uint8Array, subject: TicketSubject, due: number): string {
  return createHmac('sha256', key)
    .update(`admission-ticket/1\n${subject.caller}\n${subject.roomArn}\n${due}`)
    .digest('base64url')
    .slice(0, 22); // 132 bits
}

/** A ticket for `subject` due at `due` (ms since the epoch): its time in base 36, a dot, its MAC. */
export function signTicket(key: Uint8Array, subject: TicketSubject, due: number): string {
  const at = Math.round(due);
  return `${at.toString(36)}.${ticketMac(key, subject, at)}`;
}

/** The time a ticket is due, when it is one this service signed for `subject`; else undefined. */
export function readTicket(key: Uint8Array, subject: TicketSubject, ticket: string): number | undefined {
  const match = TICKET.exec(ticket);
  if (!match?.[1] || !match[2]) return undefined;
  const due = Number.parseInt(match[1], 36);
  if (!Number.isSafeInteger(due)) return undefined;
  const expected = Buffer.from(ticketMac(key, subject, due));
  const given = Buffer.from(match[2]);
  return given.length === expected.length && timingSafeEqual(given, expected) ? due : undefined;
}

export type TicketTime =
  | { readonly kind: 'due' }
  | { readonly kind: 'early'; readonly retryAfterSeconds: number }
  | { readonly kind: 'stale' };

/** Whether a ticket due at `due` is served at `now`, is early (wait again), or has lapsed. */
export function ticketTime(due: number, now: number): TicketTime {
  if (now < due - TICKET_EARLY_MS) {
    return { kind: 'early', retryAfterSeconds: Math.max(1, Math.ceil((due - now) / 1000)) };
  }
  if (now > due + TICKET_LATE_MS) return { kind: 'stale' };
  return { kind: 'due' };
}

/**
 * This instance's view of each shard's next free place: the value its last booking there returned,
 * moved on by the bookings it has sent since. A request books on the shard seen earliest (unknown
 * shards count as free now), at random among those within one spacing of it, so bookings spread.
 */
export class ShardChooser {
  readonly #seen: (number | undefined)[];
  readonly #spacingMs: number;
  readonly #random: () => number;

  constructor(plan: AdmissionPlan, random: () => number = Math.random) {
    this.#seen = Array.from({ length: plan.shards }, () => undefined);
    this.#spacingMs = plan.spacingMs;
    this.#random = random;
  }

  /** The shard to book on, and whether it is believed busy (its next place not past). */
  choose(now: number): { shard: number; busy: boolean } {
    const free = this.#seen.map((seen) => Math.max(seen ?? Number.NEGATIVE_INFINITY, now));
    const earliest = Math.min(...free);
    const shard = this.#pick(free.flatMap((at, shard) => (at <= earliest + this.#spacingMs ? [shard] : [])));
    const busy = (this.#seen[shard] ?? Number.NEGATIVE_INFINITY) >= now;
    // Counted before the answer comes, so requests in flight together spread over the shards.
    this.#seen[shard] = (free[shard] ?? now) + this.#spacingMs;
    return { shard, busy };
  }

  /**
   * A shard believed idle (its next place past, or unknown), at random among those, counted as taken
   * for one spacing; undefined when every shard is believed busy.
   */
  idle(now: number): number | undefined {
    const idle = this.#seen.flatMap((seen, shard) => (seen === undefined || seen < now ? [shard] : []));
    if (idle.length === 0) return undefined;
    const shard = this.#pick(idle);
    this.#seen[shard] = now + this.#spacingMs;
    return shard;
  }

  /** One of `shards` at random (the first when there are none). */
  #pick(shards: readonly number[]): number {
    return shards[Math.min(shards.length - 1, Math.floor(this.#random() * shards.length))] ?? 0;
  }

  /** A booking's answer: the shard's next free place, as the table holds it now. */
  saw(shard: number, next: number): void {
    this.#seen[shard] = Math.max(this.#seen[shard] ?? Number.NEGATIVE_INFINITY, next);
  }
}

/** Where the schedule is kept (the table: admission-store.ts; a map in unit tests). */
export interface ScheduleStore {
  /**
   * Books the next `count` places (default 1) on `shard` for calls at `now` (the `book` step, taken
   * `count` times), unless the last of them would be `limit` or later: then undefined, nothing booked.
   * The booking's `at` is the first place; the others follow it one spacing apart. `busy` says which
   * case to try first.
   */
  book(
    shard: number,
    now: number,
    spacingMs: number,
    options: { readonly busy: boolean; readonly limit: number; readonly count?: number },
  ): Promise<Booking | undefined>;
}

export interface AdmissionRequest {
  readonly subject: TicketSubject;
  /** A room owner or moderator, or an admin: served at once. */
  readonly priority: boolean;
  /** The Admission-Ticket header the caller sent, if any. */
  readonly ticket: string | undefined;
}

export type AdmissionOutcome =
  | {
      readonly admitted: true;
      /** `spare`: the pace had a place no one was using (see above), so the queue was not booked. */
      readonly via: 'schedule' | 'ticket' | 'priority' | 'spare';
      /** How long to wait before the call, for its place on the pace (at most PACE_HOLD_MS). */
      readonly waitMs: number;
    }
  | {
      readonly admitted: false;
      /**
       * `scheduled`: a place was booked; `early`: a ticket sent before its time; `full`: no place;
       * `paced`: the calls of this moment are taken (late callers bunched): come back in a second.
       */
      readonly why: 'scheduled' | 'early' | 'full' | 'paced';
      readonly retryAfterSeconds: number;
      readonly ticket?: string;
    };

export interface AdmissionOptions {
  readonly tps: number;
  /** The queue: where callers are placed, and told when to come back. */
  readonly schedule: ScheduleStore;
  /** The pace: every call, booked as it is made (a store of its own, on other items). */
  readonly pace: ScheduleStore;
  /** The key tickets are signed with, the same for every instance (admission-store.ts). */
  readonly ticketKey: () => Promise<Uint8Array>;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly random?: () => number;
}

export class Admission {
  readonly plan: AdmissionPlan;
  readonly #options: AdmissionOptions;
  readonly #chooser: ShardChooser;
  readonly #paceChooser: ShardChooser;
  readonly #random: () => number;

  constructor(options: AdmissionOptions) {
    if (!Number.isFinite(options.tps) || options.tps < 1) {
      throw new RangeError(`admission needs a rate of 1 call a second or more; got ${options.tps}`);
    }
    this.plan = planFor(options.tps);
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#chooser = new ShardChooser(this.plan, this.#random);
    this.#paceChooser = new ShardChooser(this.plan, this.#random);
  }

  /**
   * Books the call on the pace: how long to wait for its place, or undefined when that is past the
   * hold (the caller is told to come back in a second, keeping their turn with a new ticket).
   */
  async #pace(now: number): Promise<number | undefined> {
    const { shard, busy } = this.#paceChooser.choose(now);
    return this.#bookPace(shard, now, { busy, limit: now + PACE_TOLERANCE_MS + PACE_HOLD_MS });
  }

  /**
   * A place on the pace no one is using, within one spacing of now, on a shard this instance believes
   * idle: how long to wait for it, or undefined (none believed idle, or taken meanwhile).
   */
  async #spare(now: number): Promise<number | undefined> {
    const shard = this.#paceChooser.idle(now);
    if (shard === undefined) return undefined;
    // A look that finds the shard taken costs its two writes and books nothing. An instance serving
    // many requests sees the pace through its own calls and rarely looks in vain; a Lambda container's
    // belief is only its own last call, so while the pace is busy its queued callers each look once.
    // A back-off on taken shards was tried: it saved those writes and cost rate (benchmarks.md).
    return this.#bookPace(shard, now, { busy: false, limit: now + this.plan.spacingMs });
  }

  /** Books a call on `shard` of the pace: how long to wait for its place, or undefined (none before `limit`). */
  async #bookPace(
    shard: number,
    now: number,
    options: { readonly busy: boolean; readonly limit: number },
  ): Promise<number | undefined> {
    const booking = await this.#options.pace.book(shard, now, this.plan.spacingMs, options);
    if (booking === undefined) return undefined;
    this.#paceChooser.saw(shard, booking.next);
    return paceWait(booking.at, now);
  }

  /** Admitted: the call's place on the pace, or (none within the hold) a ticket for a second on. */
  async #admitted(
    request: AdmissionRequest,
    via: 'schedule' | 'ticket' | 'priority',
  ): Promise<AdmissionOutcome> {
    const now = this.#options.clock(); // after the queue's write, if there was one
    const waitMs = await this.#pace(now);
    if (waitMs !== undefined) return { admitted: true, via, waitMs };
    return {
      admitted: false,
      why: 'paced',
      retryAfterSeconds: 1,
      ticket: signTicket(await this.#options.ticketKey(), request.subject, now + 1000),
    };
  }

  /** Whether this caller's CreateChatToken call may be made now; if not, when to come back. */
  async admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    const { clock, ticketKey, schedule } = this.#options;
    const now = clock();
    // A caller with a ticket was queued already: served at its time, not queued again.
    if (request.ticket !== undefined) {
      const due = readTicket(await ticketKey(), request.subject, request.ticket);
      const time = due === undefined ? undefined : ticketTime(due, now);
      // (A room's owner or moderator sent back after the pace was full is served as first in line.)
      if (time?.kind === 'due') return this.#admitted(request, request.priority ? 'priority' : 'ticket');
      if (time?.kind === 'early' && !request.priority) {
        return {
          admitted: false,
          why: 'early',
          retryAfterSeconds: time.retryAfterSeconds,
          ticket: request.ticket,
        };
      }
      // A lapsed, forged or another caller's ticket: booked like anyone arriving now.
    }
    if (!request.priority) {
      const waitMs = await this.#spare(now);
      if (waitMs !== undefined) return { admitted: true, via: 'spare', waitMs };
    }
    const { shard, busy } = this.#chooser.choose(now);
    const limit = request.priority ? Number.POSITIVE_INFINITY : now + HORIZON_MS;
    const booking = await schedule.book(shard, now, this.plan.spacingMs, { busy, limit });
    if (booking !== undefined) this.#chooser.saw(shard, booking.next);
    if (request.priority) return this.#admitted(request, 'priority');
    if (booking === undefined) {
      const { min, max } = FULL_RETRY_SECONDS;
      return {
        admitted: false,
        why: 'full',
        retryAfterSeconds: min + Math.floor(this.#random() * (max - min + 1)),
      };
    }
    const verdict = verdictFor(booking.at, now);
    if (verdict.now) return this.#admitted(request, 'schedule');
    return {
      admitted: false,
      why: 'scheduled',
      retryAfterSeconds: verdict.retryAfterSeconds,
      ticket: signTicket(await ticketKey(), request.subject, verdict.due),
    };
  }
}
