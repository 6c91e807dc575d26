/**
 * The identity provider's signing keys, fetched from its JWKS URL and kept as one key set.
 *
 * - The whole set is cached, not one key per kid: any refetch, whoever caused it, brings every
 *   published key. So a flood of forged kids cannot starve a genuinely rotated key of a refetch
 *   (a per-kid cache behind a shared refetch budget could: each forged kid spends a refetch, and the
 *   real kid only gets one if it wins the race for the next).
 * - Unknown kids may cause a refetch from a small budget that refills with time (a burst of
 *   `refetchBurst`, then one per `refetchIntervalMs`); refetches are single-flight. Under a flood the
 *   set is still refreshed once per interval, so a rotated key is found within that interval.
 * - A set older than `maxAgeMs` is refreshed in the background while the cached keys keep serving;
 *   when the endpoint is down the cached keys go on serving (stale-if-error), for as long as it
 *   stays down, and the failure is logged. Only with no key set at all is the caller told 503.
 * - Every fetch has a deadline and a size cap; redirects are refused.
 * - The GET goes through node:http(s), as the AWS SDK's calls do, not `fetch`: in a fresh process the
 *   first `fetch` loads Node's bundled undici: 18-27 ms of the init, measured on this project's 2-core
 *   machine, paid in every cold start of the token function (docs/benchmarks.md, "Cold start").
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../../../shared/logger.js';
import { describeError } from '../../../shared/logger.js';
import { isRecord } from '../../../shared/json.js';
import { againIfDropped } from '../../../shared/dropped-connection.js';

/** A public IdP's JWKS is a few KB (a handful of keys); anything far larger is refused unread. */
export const JWKS_MAX_BYTES = 64 * 1024;
/** With no key set yet, a failed fetch is not retried sooner than this. */
const COLD_RETRY_MS = 1000;
/** Keys read from one JWKS at most. */
const MAX_KEYS = 32;

export type KeyLookup =
  | { readonly kind: 'key'; readonly key: KeyObject }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'unavailable'; readonly cause: unknown };

export interface KeySource {
  /** The key for `kid` (a token without kid matches a set of exactly one key). */
  lookup(kid: string | undefined): Promise<KeyLookup>;
  /** Fetches the set if none is cached or coming; settles when it has, never rejecting. */
  warm?(): Promise<void>;
}

export interface JwksSourceOptions {
  readonly uri: string;
  /** Deadline of one fetch, connection to last byte. */
  readonly timeoutMs: number;
  readonly maxBytes?: number;
  /** How long a fetched set is fresh (then refreshed in the background). */
  readonly maxAgeMs?: number;
  readonly refetchBurst?: number;
  readonly refetchIntervalMs?: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

export class JwksFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksFetchError';
  }
}

interface KeySet {
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly fetchedAt: number;
}

/**
 * A GET of `uri`, settled with the answer's head. A redirect is an answer like any other (not
 * followed), so it is refused as a status other than 200. `signal` tears the request down.
 */
function get(uri: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(uri);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { headers: { accept: 'application/json' }, signal }, resolve);
    request.once('error', reject);
    request.end();
  });
}

/** Reads at most `maxBytes` of the body; a longer one is cut off and refused. */
async function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = (): JwksFetchError => {
    response.destroy();
    return new JwksFetchError(`the JWKS is larger than ${maxBytes} bytes`);
  };
  if (Number(response.headers['content-length'] ?? '0') > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The signing keys of a JWKS document (RFC 7517); keys that are not usable for signatures are skipped. */
export function parseJwks(document: unknown): Map<string, KeyObject> {
  if (!isRecord(document) || !Array.isArray(document.keys)) {
    throw new JwksFetchError('the JWKS has no keys array');
  }
  const keys = new Map<string, KeyObject>();
  for (const jwk of document.keys.slice(0, MAX_KEYS)) {
    if (!isRecord(jwk) || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
    const kid = typeof jwk.kid === 'string' ? jwk.kid : '';
    try {
      // Only public members are read: a JWKS that wrongly publishes a private key yields its public half.
      const member = (name: string): string | undefined =>
        typeof jwk[name] === 'string' ? jwk[name] : undefined;
      const publicPart: JsonWebKey = { kty: jwk.kty };
      for (const name of ['n', 'e', 'crv', 'x', 'y'] as const) {
        const value = member(name);
        if (value !== undefined) publicPart[name] = value;
      }
      const key = createPublicKey({ key: publicPart, format: 'jwk' });
      keys.set(kid, key);
    } catch {
      // A malformed entry does not spoil the others.
    }
  }
  return keys;
}

export function createJwksSource(options: JwksSourceOptions): KeySource {
  const maxBytes = options.maxBytes ?? JWKS_MAX_BYTES;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const burst = options.refetchBurst ?? 5;
  const intervalMs = options.refetchIntervalMs ?? 6000;
  const now = options.now ?? Date.now;
  let set: KeySet | undefined;
  let inFlight: Promise<KeySet> | undefined;
  let lastFailureAt = -Infinity;
  // Token bucket for refetches caused by unknown kids.
  let tokens = burst;
  let refilledAt = now();

  /**
   * One fetch, connection to last byte, ended at the deadline: the abort tears the request down, and
   * the race settles the lookup even if a read does not end with it. (With only an
   * AbortSignal.timeout() on fetch, the resilience suite once saw lookups under load wait 30 s on a
   * trickling endpoint; the cause was not pinned down, so the deadline no longer depends on it.)
   */
  const load = async (): Promise<KeySet> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const expired = new JwksFetchError(`the JWKS did not arrive within ${options.timeoutMs} ms`);
        controller.abort(expired);
        reject(expired);
      }, options.timeoutMs);
    });
    const work = fetchAndParse(controller.signal);
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  const fetchAndParse = async (signal: AbortSignal): Promise<KeySet> => {
    let response: IncomingMessage;
    try {
      // The JWKS is fetched minutes apart, so the pooled keep-alive connection is often one the
      // endpoint is closing just then (its idle timeout): the GET, idempotent, is sent once more.
      response = await againIfDropped(signal, () => get(options.uri, signal));
    } catch (error) {
      throw new JwksFetchError('the JWKS endpoint did not answer', { cause: error });
    }
    if (response.statusCode !== 200) {
      response.destroy();
      throw new JwksFetchError(`the JWKS endpoint answered ${response.statusCode ?? 'no status'}`);
    }
    let text: string;
    try {
      text = await readCapped(response, maxBytes);
    } catch (error) {
      if (error instanceof JwksFetchError) throw error;
      throw new JwksFetchError('the JWKS could not be read in time', { cause: error });
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new JwksFetchError('the JWKS is not JSON', { cause: error });
    }
    return { keys: parseJwks(document), fetchedAt: now() };
  };

  /** One fetch at a time; its result replaces the set, a failure keeps the old one. */
  const refresh = (): Promise<KeySet> => {
    inFlight ??= load()
      .then(
        (fresh) => {
          set = fresh;
          return fresh;
        },
        (error: unknown) => {
          lastFailureAt = now();
          options.logger?.warn('JWKS fetch failed; cached keys keep serving', {
            cachedKeys: set?.keys.size ?? 0,
            ...describeError(error),
          });
          throw error;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const takeRefetchToken = (): boolean => {
    const at = now();
    const earned = Math.floor((at - refilledAt) / intervalMs);
    if (earned > 0) {
      tokens = Math.min(burst, tokens + earned);
      refilledAt = tokens === burst ? at : refilledAt + earned * intervalMs;
    }
    if (tokens <= 0) return false;
    tokens -= 1;
    return true;
  };

  const find = (keys: ReadonlyMap<string, KeyObject>, kid: string | undefined): KeyObject | undefined => {
    if (kid !== undefined) return keys.get(kid);
    if (keys.size !== 1) return undefined;
    return keys.values().next().value;
  };

  return {
    async warm() {
      if (set || inFlight) return;
      await refresh().catch(() => undefined);
    },
    async lookup(kid) {
      if (!set) {
        // Nothing cached yet (cold start, or the endpoint has never answered). While it keeps
        // failing, callers hear so at once rather than each queueing another fetch.
        if (!inFlight && now() - lastFailureAt < COLD_RETRY_MS) {
          return { kind: 'unavailable', cause: new JwksFetchError('the JWKS endpoint failed just now') };
        }
        try {
          await refresh();
        } catch (error) {
          return { kind: 'unavailable', cause: error };
        }
      }
      const current = set;
      if (!current) return { kind: 'unavailable', cause: new JwksFetchError('no key set') };
      // Stale: refresh in the background (not more than once per interval while failing).
      if (now() - current.fetchedAt > maxAgeMs && now() - lastFailureAt > intervalMs) {
        refresh().catch(() => undefined);
      }
      const cached = find(current.keys, kid);
      if (cached) return { kind: 'key', key: cached };
      // An unknown kid: perhaps a rotation. Join a fetch already running, or start one if the
      // budget allows; either way the new set answers for every kid.
      if (!inFlight && !takeRefetchToken()) return { kind: 'unknown' };
      try {
        const fresh = await refresh();
        const key = find(fresh.keys, kid);
        return key ? { kind: 'key', key } : { kind: 'unknown' };
      } catch {
        // The endpoint is down: a kid we never saw cannot be checked; keep the caller's error honest.
        return { kind: 'unknown' };
      }
    },
  };
}
