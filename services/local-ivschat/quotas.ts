/**
 * IVS Chat's API rate quotas and its concurrent-connection quota, enforced for the emulator's one
 * account and region as IVS enforces them for an account in a region (IVS Chat service quotas). On by
 * default, as in AWS; `EMULATOR_QUOTAS=off` (or `quotas: { enabled: false }`) lifts them for load
 * tests that are about something else. A room's own maximumMessageRatePerSecond is a room setting,
 * not an account quota, and applies either way.
 *
 * Each operation has a bucket of its own (the quotas page gives every operation its own TPS); a
 * DELETE_MESSAGE or DISCONNECT_USER sent over a socket takes from the same bucket as the API call
 * (the quotas page counts "requests from either the IVS Chat API or the IVS Chat Messaging API").
 */
import { IVS_LIMITS } from '../../shared/ivs/limits.js';
import type { Clock } from './clock.js';
import { RateLimiter } from './rate-limit.js';

const { rates } = IVS_LIMITS;

/** Every rated operation and its default TPS. */
export const DEFAULT_RATES = {
  CreateChatToken: rates.createChatToken,
  DeleteMessage: rates.deleteMessage,
  DisconnectUser: rates.disconnectUser,
  SendEvent: rates.sendEvent,
  CreateRoom: rates.roomControlPlane,
  GetRoom: rates.roomControlPlane,
  ListRooms: rates.roomControlPlane,
  UpdateRoom: rates.roomControlPlane,
  DeleteRoom: rates.roomControlPlane,
  CreateLoggingConfiguration: rates.loggingConfiguration,
  GetLoggingConfiguration: rates.loggingConfiguration,
  ListLoggingConfigurations: rates.loggingConfiguration,
  UpdateLoggingConfiguration: rates.loggingConfiguration,
  DeleteLoggingConfiguration: rates.loggingConfiguration,
  TagResource: rates.tags,
  UntagResource: rates.tags,
  ListTagsForResource: rates.tags,
} as const;
export type RatedOperation = keyof typeof DEFAULT_RATES;

export function isRatedOperation(name: string): name is RatedOperation {
  return Object.hasOwn(DEFAULT_RATES, name);
}

/**
 * How the emulator enforces the quotas. `{ enabled: false }` is `EMULATOR_QUOTAS=off`; otherwise each
 * quota is IVS's default unless given (tests lower them; a raised connection quota is what an AWS
 * account can ask for).
 */
export type QuotaOptions =
  | { readonly enabled: false }
  | {
      readonly enabled?: true;
      /** Concurrent chat connections across all rooms; default 50,000 (adjustable in AWS). */
      readonly maxConnections?: number;
      /** TPS per operation, over the defaults above. */
      readonly rates?: Readonly<Partial<Record<RatedOperation, number>>>;
    };

export const QUOTAS_OFF: QuotaOptions = { enabled: false };

/** A quota option that cannot be enforced; thrown when the emulator starts. */
export class QuotaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaConfigError';
  }
}

export class Quotas {
  readonly enabled: boolean;
  readonly maxConnections: number;
  readonly #rates: Readonly<Record<RatedOperation, number>>;
  readonly #buckets = new Map<RatedOperation, RateLimiter>();
  readonly #clock: Clock;

  constructor(options: QuotaOptions | undefined, clock: Clock) {
    this.#clock = clock;
    if (options?.enabled === false) {
      this.enabled = false;
      this.maxConnections = Number.POSITIVE_INFINITY;
      this.#rates = DEFAULT_RATES;
      return;
    }
    this.enabled = true;
    const maxConnections = options?.maxConnections ?? IVS_LIMITS.concurrentConnections;
    if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
      throw new QuotaConfigError(
        `quotas.maxConnections must be a whole number of 1 or more; got ${maxConnections}`,
      );
    }
    this.maxConnections = maxConnections;
    const merged: Record<RatedOperation, number> = { ...DEFAULT_RATES };
    for (const [name, rate] of Object.entries(options?.rates ?? {})) {
      if (!isRatedOperation(name))
        throw new QuotaConfigError(`quotas.rates names no rated operation: ${name}`);
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 1) {
        throw new QuotaConfigError(`quotas.rates.${name} must be a number of requests per second, 1 or more`);
      }
      merged[name] = rate;
    }
    this.#rates = merged;
  }

  /** The operation's TPS (enforced only when the quotas are on). */
  rate(operation: RatedOperation): number {
    return this.#rates[operation];
  }

  /** Counts one call of the operation; false when it is over its TPS and must be throttled. */
  take(operation: RatedOperation): boolean {
    if (!this.enabled) return true;
    let bucket = this.#buckets.get(operation);
    if (!bucket) {
      bucket = new RateLimiter();
      this.#buckets.set(operation, bucket);
    }
    return bucket.tryTake(this.#clock.now().getTime(), this.#rates[operation]);
  }
}

/**
 * The quotas a process environment asks for: `EMULATOR_QUOTAS` is `on` (the default, also when unset
 * or empty) or `off`, nothing else; `EMULATOR_MAX_CONNECTIONS` raises or lowers the connection quota
 * (a whole number, 1 or more; not allowed with `EMULATOR_QUOTAS=off`, which has none). A bad value is
 * a QuotaConfigError naming the variable, for the caller to print at startup.
 */
export function quotaOptionsFromEnv(env: NodeJS.ProcessEnv): QuotaOptions {
  const mode = (env.EMULATOR_QUOTAS ?? '').trim();
  if (mode !== '' && mode !== 'on' && mode !== 'off') {
    throw new QuotaConfigError(`EMULATOR_QUOTAS must be on or off; got "${mode.slice(0, 64)}"`);
  }
  const connections = (env.EMULATOR_MAX_CONNECTIONS ?? '').trim();
  if (connections === '') return mode === 'off' ? QUOTAS_OFF : {};
  if (!/^[0-9]{1,9}$/.test(connections) || Number(connections) < 1) {
    throw new QuotaConfigError(
      `EMULATOR_MAX_CONNECTIONS must be a whole number from 1 to 999999999; got "${connections.slice(0, 64)}"`,
    );
  }
  if (mode === 'off') {
    throw new QuotaConfigError(
      'EMULATOR_MAX_CONNECTIONS sets a quota, and EMULATOR_QUOTAS=off turns every quota off: set one or the other',
    );
  }
  return { maxConnections: Number(connections) };
}
