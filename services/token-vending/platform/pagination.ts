/**
 * Opaque `nextToken`s. A token carries a position in one listing and is bound to that listing (the
 * route, its filters and the caller) and to a lifetime; any token that fails to decode, names another
 * listing, holds a position of the wrong shape or has expired is a 400 `invalid_next_token`, never a
 * 500. A well-formed token someone made up only moves the start of their own listing: every filter and
 * permission is applied again on each page, so it reveals nothing.
 */
import { createHash } from 'node:crypto';
import { HttpError } from './problem.js';
import { isRecord } from '../../../shared/json.js';

const VERSION = 1;
/** A page token older than this is stale: the listing may have changed beyond recognition. */
export const NEXT_TOKEN_TTL_MS = 24 * 60 * 60_000;
const MAX_TOKEN_LENGTH = 1024;

function scopeHash(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 16);
}

export function encodeNextToken(scope: string, position: string, now: number): string {
  return Buffer.from(
    JSON.stringify({ v: VERSION, s: scopeHash(scope), p: position, t: Math.floor(now / 1000) }),
    'utf8',
  ).toString('base64url');
}

function invalid(reason: string): HttpError {
  return new HttpError(400, 'invalid_next_token', `nextToken ${reason}; start again without it`);
}

/** Answers the position, or undefined when no token was sent. */
export function decodeNextToken(
  token: unknown,
  scope: string,
  now: number,
  validPosition: (position: string) => boolean,
): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw invalid('is not a token this listing issued');
  }
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a token this listing issued');
  }
  if (
    !isRecord(decoded) ||
    decoded.v !== VERSION ||
    typeof decoded.s !== 'string' ||
    typeof decoded.p !== 'string' ||
    typeof decoded.t !== 'number'
  ) {
    throw invalid('is not a token this listing issued');
  }
  if (decoded.s !== scopeHash(scope)) throw invalid('belongs to another listing');
  const age = now - decoded.t * 1000;
  if (age > NEXT_TOKEN_TTL_MS || age < -60_000) throw invalid('has expired');
  if (!validPosition(decoded.p)) throw invalid('is not a token this listing issued');
  return decoded.p;
}
