/**
 * A cheap per-client limit that runs before JWT verification. The per-user token limit can only
 * count callers whose token verified, so a flood of bad tokens was never counted; here every failed
 * verification counts against the client's address (IPv6 grouped by /56), and a client over the
 * limit is refused with 429 before its token is even decoded, let alone checked against a key or
 * allowed to ask for a JWKS refetch. Per process and bounded in memory: it sheds floods, it is not
 * a quota (the per-user limit, held in the table, is).
 */
import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { HttpError } from '../platform/problem.js';
import { BoundedMemoryStore } from './failed-sign-ins-store.js';

export interface AuthFailureLimit {
  /** Failed verifications per window per client address; 0 turns the limit off. */
  readonly max: number;
  readonly windowMs: number;
  readonly maxKeys: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { max: 20, windowMs: 60_000, maxKeys: 10_000 };

export interface FailedSignIns {
  /** Throws 429 when the client has failed too often in the current window. */
  check(req: Request): void;
  /** Counts one failed verification for the client. */
  failed(req: Request): void;
}

export function createFailedSignIns(limit: AuthFailureLimit, now: () => number): FailedSignIns {
  if (limit.max <= 0) return { check: () => undefined, failed: () => undefined };
  const store = new BoundedMemoryStore({ windowMs: limit.windowMs, maxKeys: limit.maxKeys, now });
  const keyOf = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');
  return {
    check(req) {
      const window = store.get(keyOf(req));
      if (!window || window.totalHits < limit.max) return;
      const resetAt = window.resetTime?.getTime() ?? now() + limit.windowMs;
      throw new HttpError(
        429,
        'too_many_failed_sign_ins',
        'too many failed sign-ins from this address; retry later',
        {
          headers: { 'Retry-After': String(Math.max(1, Math.ceil((resetAt - now()) / 1000))) },
        },
      );
    },
    failed(req) {
      store.increment(keyOf(req));
    },
  };
}
