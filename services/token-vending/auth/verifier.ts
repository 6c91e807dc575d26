/**
 * App JWT verification: jsonwebtoken with keys from a JWKS URL (jwks.ts: one cached key set, a
 * refetch budget that a flood of forged kids cannot turn into a lockout, stale keys served while the
 * endpoint is down, fetches capped in size and time). Algorithms are pinned to asymmetric ones, so
 * `alg: none` and every HS* token (including HS256 "signed" with the public key) are refused before
 * any key is looked up. Issuer and audience are required. Nothing here logs a token or a claim.
 */
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { readRoles } from './claims.js';
import type { Logger } from '../../../shared/logger.js';
import { JWKS_DEADLINE_MS } from '../config.js';
import { HttpError, unauthorized } from '../platform/problem.js';
import { createJwksSource, type KeySource } from './jwks.js';
import { parseSubject } from './user-id.js';
import { isRecord } from '../../../shared/json.js';

export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

/** Longer bearer values are refused unread (no IdP token comes near it; it bounds parsing work). */
export const MAX_TOKEN_BYTES = 8192;

export interface VerifiedIdentity {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedIdentity>;
  /** Fetches the key set ahead of the first token (at start); never rejects. */
  warm?(): Promise<void>;
}

export interface JwtVerifierOptions {
  readonly jwksUri: string;
  readonly issuer: string;
  readonly audience: string;
  /** A claim name or a path into nested claims (see claims.ts), e.g. `realm_access.roles`. */
  readonly rolesClaim: string;
  /** Seconds of exp/nbf leeway for clock skew. */
  readonly clockToleranceSeconds?: number;
  /** Seconds since the epoch; injected so tests control time. */
  readonly now?: () => number;
  readonly jwksTimeoutMs?: number;
  /** Where keys come from; by default the JWKS at `jwksUri`. */
  readonly keySource?: KeySource;
  readonly logger?: Logger;
}

function isAllowedAlgorithm(value: unknown): value is AllowedAlgorithm {
  return ALLOWED_ALGORITHMS.some((alg) => alg === value);
}

export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const nowSeconds = options.now;
  const keySource =
    options.keySource ??
    createJwksSource({
      uri: options.jwksUri,
      timeoutMs: options.jwksTimeoutMs ?? JWKS_DEADLINE_MS,
      // The key set's age follows the same injected clock as exp and nbf.
      ...(nowSeconds ? { now: () => nowSeconds() * 1000 } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  return {
    async warm() {
      await keySource.warm?.();
    },
    async verify(token) {
      if (Buffer.byteLength(token, 'utf8') > MAX_TOKEN_BYTES) {
        throw unauthorized('invalid_token', `the token is longer than ${MAX_TOKEN_BYTES} bytes`);
      }
      const decoded = jwt.decode(token, { complete: true });
      if (!decoded || !isRecord(decoded.header))
        throw unauthorized('invalid_token', 'the token is malformed');
      const { alg, kid } = decoded.header;
      if (!isAllowedAlgorithm(alg)) {
        throw unauthorized(
          'invalid_token',
          'the token alg is not accepted (asymmetric algorithms only: RS*, PS*, ES*)',
        );
      }
      if (kid !== undefined && typeof kid !== 'string')
        throw unauthorized('invalid_token', 'the kid is malformed');

      const found = await keySource.lookup(kid);
      if (found.kind === 'unavailable') {
        // Our identity provider is unreachable and no key is cached: not the caller's fault.
        throw new HttpError(503, 'upstream_unavailable', 'the JWKS endpoint is unavailable', {
          headers: { 'Retry-After': '5' },
          cause: found.cause,
        });
      }
      if (found.kind === 'unknown') throw unauthorized('invalid_token', 'the signing key is unknown');
      const key: KeyObject = found.key;

      let payload: unknown;
      try {
        payload = jwt.verify(token, key, {
          algorithms: [...ALLOWED_ALGORITHMS],
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance,
          clockTimestamp: now(),
        });
      } catch (error) {
        const reason =
          error instanceof jwt.TokenExpiredError
            ? 'the token has expired'
            : error instanceof jwt.NotBeforeError
              ? 'the token is not valid yet'
              : error instanceof jwt.JsonWebTokenError && /audience|issuer/.test(error.message)
                ? 'the token was issued for another issuer or audience'
                : 'the token signature or claims are invalid';
        throw unauthorized('invalid_token', reason, error);
      }
      if (!isRecord(payload)) throw unauthorized('invalid_token', 'the token payload is not an object');
      // A token without exp would never expire: refuse it (jsonwebtoken only checks exp when present).
      if (typeof payload.exp !== 'number') throw unauthorized('invalid_token', 'the token has no exp');
      // sub becomes the IVS userId.
      const sub = parseSubject(payload.sub);
      return { sub, roles: readRoles(payload, options.rolesClaim), claims: payload };
    },
  };
}
