/**
 * What every router shares: the per-request context, body and parameter parsing, and
 * authentication. Parsing happens here, at the edge, before IVS or the table is called.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { userIdProblem } from './input.js';
import { isRecord } from '../../../shared/json.js';
import { withinRequestBudget } from '../../../shared/aws/deadline.js';
import type { TokenVerifier } from '../auth/verifier.js';
import { REQUEST_BUDGET_MS } from '../config.js';
import type { AuthFailureGuard } from '../auth/failed-sign-ins.js';
import { HttpError, unauthorized } from './problem.js';
import type { Caller } from '../access/chat-policy.js';

/** Body limit for JSON endpoints; token requests are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 4096;
/** Room bodies may carry 49 tags of up to 128 + 256 characters. */
export const ROOM_BODY_LIMIT_BYTES = 65536;

interface Locals {
  requestId: string;
  /** Epoch milliseconds when the request arrived: its budget counts from here. */
  receivedAt: number;
  caller?: Caller;
}

/** Per-request state, kept beside the response rather than in the loosely typed res.locals. */
const contexts = new WeakMap<Response, Locals>();

export function startContext(res: Response, requestId: string): void {
  contexts.set(res, { requestId, receivedAt: Date.now() });
}

export function locals(res: Response): Locals {
  const context = contexts.get(res);
  if (!context) throw new HttpError(500, 'internal', 'request context missing');
  return context;
}

export function requestIdOf(res: Response): string | undefined {
  return contexts.get(res)?.requestId;
}

/** The authenticated (or, where allowed, anonymous) caller; `authenticate` runs first. */
export function callerOf(res: Response): Caller {
  const caller = locals(res).caller;
  if (!caller) throw new HttpError(500, 'internal', 'caller missing');
  return caller;
}

/** Refuses keys outside `allowed`; the message names the allowed ones, never echoes more than 64 characters. */
export function requireObject(body: unknown, allowed: readonly string[], hint = ''): Record<string, unknown> {
  if (!isRecord(body)) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  for (const [index, key] of Object.keys(body).entries()) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        'invalid_body',
        // The field's position, never its name: the message is logged, and the name is client text.
        `field ${index + 1} of the body is not accepted (allowed: ${allowed.join(', ') || 'none'})${hint}`,
      );
    }
  }
  return body;
}

export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json') === false || req.is('application/json') === null) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

export const jsonBody = express.json({ limit: BODY_LIMIT_BYTES, type: 'application/json', strict: true });
export const roomJsonBody = express.json({
  limit: ROOM_BODY_LIMIT_BYTES,
  type: 'application/json',
  strict: true,
});

/**
 * For routes whose body is optional (DELETE with a reason): no body is fine, a body must be JSON.
 * Use before `jsonBody`; the handler reads an absent body as `{}`.
 */
export const jsonIfBody: RequestHandler = (req, _res, next) => {
  const length = req.get('content-length');
  const hasBody = (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

/**
 * Authenticates the caller, then runs the rest of the request (limits, handler) under the request's
 * budget: every IVS and table call it makes ends by `budgetMs` after the request arrived
 * (shared/aws/deadline.ts), so their deadlines cannot add up past the Lambda timeout. It is applied
 * here, after the body parser, because a stream callback does not carry async context from before it.
 */
export function authenticator(
  verifier: TokenVerifier,
  allowAnonymous: boolean,
  failures?: AuthFailureGuard,
  budgetMs: number = REQUEST_BUDGET_MS,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const context = locals(res);
    if (header === undefined) {
      if (!allowAnonymous) throw unauthorized('missing_token', 'send Authorization: Bearer <your app JWT>');
      // IVS needs a userId (1–128 characters) even for a read-only connection.
      context.caller = { kind: 'anonymous', userId: `anonymous-${randomUUID()}` };
      withinRequestBudget(context.receivedAt + budgetMs, next);
      return;
    }
    // Before any parsing or key lookup: a client whose tokens keep failing is shed cheaply.
    failures?.check(req);
    let identity;
    try {
      const match = /^Bearer +([^\s]+) *$/i.exec(header);
      if (!match?.[1]) throw unauthorized('invalid_token', 'the Authorization header must be "Bearer <JWT>"');
      identity = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) failures?.failed(req);
      throw error;
    }
    context.caller = { kind: 'user', sub: identity.sub, roles: identity.roles, claims: identity.claims };
    withinRequestBudget(context.receivedAt + budgetMs, next);
  };
}

const ROOM_ID = IVS_LIMITS.resourceId.pattern;

/** `{roomId}`: the 12-character IVS room id. */
export function roomIdParam(req: Request): string {
  const value = req.params.roomId;
  if (typeof value !== 'string' || !ROOM_ID.test(value)) {
    throw new HttpError(400, 'invalid_parameter', 'roomId must be the 12-letter-or-digit IVS room id');
  }
  return value;
}

/** A value usable as an IVS userId (the same rule as JWT `sub`s and dev-login ids, input.ts). */
export function isValidUserId(value: unknown): value is string {
  return userIdProblem(value) === undefined;
}

/** `{userId}` in a path; `me` stands for the caller. */
export function userIdParam(req: Request, res: Response): string {
  const value = req.params.userId;
  if (value === 'me') return selfId(res);
  if (!isValidUserId(value)) {
    throw new HttpError(
      400,
      'invalid_parameter',
      `userId must be 1 to ${IVS_LIMITS.userIdLength.max} characters with no control characters`,
    );
  }
  return value;
}

/** The caller's own id; anonymous callers have none that lasts beyond the request. */
export function selfId(res: Response): string {
  const caller = callerOf(res);
  if (caller.kind !== 'user')
    throw unauthorized('missing_token', 'sign in first: send Authorization: Bearer <your app JWT>');
  return caller.sub;
}

/** An integer query parameter within bounds, named in the error. */
export function integerQuery(req: Request, name: string, min: number, max: number, fallback: number): number {
  const value: unknown = req.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new HttpError(400, 'invalid_parameter', `${name} must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

/** An optional single-valued string query parameter (a repeated one is refused). */
export function stringQuery(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new HttpError(400, 'invalid_parameter', `${name} must be given once, as text`);
  return value;
}

/** Only the named query parameters are understood; anything else is a mistake worth reporting. */
export function onlyQuery(req: Request, allowed: readonly string[]): void {
  for (const key of Object.keys(req.query)) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        'invalid_parameter',
        `unknown query parameter "${key.slice(0, 64)}" (allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
  }
}
