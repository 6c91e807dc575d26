/**
 * Checks on what callers send that sit in front of every route: header shapes the HTTP parser
 * would otherwise settle silently, body charsets, and the rules a user id must meet before it
 * becomes an IVS `userId`. Each refusal is a plain HttpError, rendered by the app's one error path.
 */
import type { RequestHandler } from 'express';
import { codePointLength, IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { HttpError, unauthorized } from './problem.js';

/**
 * Headers that must appear once. Node keeps the first of several `Authorization` or `Content-Type`
 * headers and drops the rest unseen, so a proxy or client that reads the last one would act on a
 * different credential or body type than this service did (RFC 9110 §5.3: neither is a list).
 */
const SINGLE_HEADERS = ['authorization', 'content-type'] as const;

export const rejectDuplicateHeaders: RequestHandler = (req, _res, next) => {
  const counts = new Map<string, number>();
  // rawHeaders alternates name and value, exactly as received.
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    const name = (req.rawHeaders[index] ?? '').toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const name of SINGLE_HEADERS) {
    if ((counts.get(name) ?? 0) > 1) {
      throw new HttpError(400, 'invalid_request', `send the ${name} header once`);
    }
  }
  next();
};

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; undefined when absent. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const [name = '', ...rest] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      return rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

/**
 * JSON is UTF-8 (RFC 8259 §8.1). The body parser would decode any `utf-*` charset it is told of
 * (UTF-7, UTF-16LE), so a body could reach the handlers spelled in bytes no filter in front of the
 * service reads the same way: anything but UTF-8 (or no charset) is a 415.
 */
export const requireUtf8Body: RequestHandler = (req, _res, next) => {
  // Only a request with a body has a charset that matters (a GET may carry any Content-Type).
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  const contentType = hasBody ? req.get('content-type') : undefined;
  const charset = contentType === undefined ? undefined : charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8') {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as UTF-8 application/json');
  }
  next();
};

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
