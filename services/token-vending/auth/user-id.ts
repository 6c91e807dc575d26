/**
 * The rules a user id must meet before it becomes an IVS `userId`: the JWT `sub`, the dev login's
 * `userId`, and user ids in paths and queries all pass through here.
 */
import { codePointLength, IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { HttpError, unauthorized } from '../platform/problem.js';

/** Control characters (C0, DEL, C1), lone surrogates, and the bidirectional-text controls. */
const FORBIDDEN_IN_USER_ID = /[\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Why a value cannot be an IVS `userId`, or undefined when it can. IVS takes 1–128 characters,
 * counted here in code points (an emoji is one character, not two UTF-16 units). The id reaches
 * every client in the room as `Sender.UserId`: control characters and bidi controls would let one
 * user's id break or reorder how other users' screens show it, and a lone surrogate is not text.
 */
export function userIdProblem(value: unknown): string | undefined {
  const { min, max } = IVS_LIMITS.userIdLength;
  if (typeof value !== 'string') return 'must be a string';
  const length = codePointLength(value);
  if (length < min || length > max) return `must be ${min} to ${max} characters`;
  if (FORBIDDEN_IN_USER_ID.test(value)) {
    return 'must not contain control characters, bidirectional controls or lone surrogates';
  }
  return undefined;
}

/** The dev login's `userId`, or a 400 saying what is wrong with it. */
export function parseDevLoginUserId(value: unknown): string {
  const problem = userIdProblem(value);
  if (problem !== undefined || typeof value !== 'string') {
    throw new HttpError(400, 'invalid_body', `userId ${problem ?? 'must be a string'}`);
  }
  return value;
}

/** A verified JWT's `sub`, which becomes the IVS userId, or a 401 saying what is wrong with it. */
export function parseSubject(value: unknown): string {
  const problem = userIdProblem(value);
  if (problem !== undefined || typeof value !== 'string') {
    throw unauthorized('invalid_token', `the token's sub ${problem ?? 'must be a string'}`);
  }
  return value;
}
