/**
 * The service's one error type and its one rendering. Every refusal carries a stable `code` callers
 * can switch on, the HTTP status, and `expose`: a 4xx detail goes to the caller, a 5xx detail stays in
 * the log and the caller gets a generic text (Middy's http-errors habit). Rendered as RFC 9457
 * problem+json by `problemHandler`, the app's last middleware.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { isRecord } from '../../../shared/json.js';
import type { Logger } from '../../../shared/logger.js';
import { requestIdOf } from './request-context.js';

/** Every problem `code`, with what it tells the caller (the OpenAPI document lists them). */
export const ERROR_CODE_MEANINGS = {
  invalid_body: 'the body is not what this route takes (the detail says which field)',
  invalid_request: 'the request itself is malformed (e.g. a header sent twice)',
  invalid_json: 'the body is not valid JSON',
  invalid_parameter: 'a path or query parameter is not valid',
  invalid_next_token: 'nextToken is not one this listing issued, or it has expired',
  missing_token: 'sign in: send Authorization: Bearer <your app JWT>',
  invalid_token: 'the app JWT is invalid (signature, issuer, audience, expiry)',
  too_many_failed_sign_ins: 'too many invalid JWTs from this address; wait Retry-After seconds',
  forbidden: 'your role may not do this; `role` is yours here, `required` the roles that may',
  not_a_member: 'the room is private and you are not a member',
  banned: 'you are banned (`scope` room or app, `until` and `reason` when set)',
  timed_out: 'you are timed out in this room (`until`): you may read, not send or moderate',
  room_not_found: 'no such room (or a private room you may not see)',
  not_found: 'no such route or item',
  conflict: 'the request conflicts with the current state',
  payload_too_large: 'the body is larger than this route takes',
  unsupported_media_type: 'send the body as UTF-8 application/json',
  rate_limited: 'too many token requests from you; wait Retry-After seconds',
  upstream_busy: 'the chat service is at its token rate; wait Retry-After seconds (your place is kept)',
  ivs_rejected: 'IVS Chat refused the request as invalid',
  upstream_misconfigured: "the service's access to IVS Chat is misconfigured",
  upstream_error: 'IVS Chat answered unexpectedly',
  upstream_unavailable: 'IVS Chat is unavailable or throttling; wait Retry-After seconds',
  store_unavailable: 'the state store is unavailable; wait Retry-After seconds',
  internal: 'the service failed; report the request id',
} as const;
export type ErrorCode = keyof typeof ERROR_CODE_MEANINGS;
export const ERROR_CODES = Object.keys(ERROR_CODE_MEANINGS) as readonly ErrorCode[];

/** Problem extension members (RFC 9457 §3.2) this service sends. */
export const PROBLEM_EXTENSIONS = {
  until: 'when a ban or timeout ends (ISO 8601); absent for a permanent ban',
  reason: "the moderator's reason for a ban or timeout",
  scope: '`room` or `app`: where a ban applies',
  role: "the caller's role where the refusal applies",
  required: 'the roles that may do this, comma-separated',
} as const;
export type ProblemExtension = keyof typeof PROBLEM_EXTENSIONS;

export interface HttpErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** Defaults to status < 500. */
  readonly expose?: boolean;
  readonly extensions?: Readonly<Partial<Record<ProblemExtension, string>>>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Partial<Record<ProblemExtension, string>>>;

  constructor(status: number, code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/** 401 with the challenge RFC 6750 §3 asks for; `error="invalid_token"` only when a token was sent. */
export function unauthorized(
  code: 'invalid_token' | 'missing_token',
  message: string,
  cause?: unknown,
): HttpError {
  const challenge =
    code === 'invalid_token'
      ? `Bearer error="invalid_token", error_description="${message.replace(/["\\]/g, '')}"`
      : 'Bearer';
  return new HttpError(401, code, message, { headers: { 'WWW-Authenticate': challenge }, cause });
}

/** Body limit for JSON endpoints when a route names none; token requests are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 4096;

function member(error: unknown, key: string): unknown {
  return isRecord(error) || error instanceof Error ? Reflect.get(error, key) : undefined;
}

/** Express/body-parser errors carry a `type` and `status`; anything else is a bug → 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  switch (member(error, 'type')) {
    case 'entity.too.large': {
      const limit = member(error, 'limit');
      const bytes = typeof limit === 'number' ? limit : BODY_LIMIT_BYTES;
      return new HttpError(413, 'payload_too_large', `the body is larger than ${bytes} bytes`, {
        cause: error,
      });
    }
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', 'the body is not valid JSON', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'send the body as UTF-8 application/json', {
        cause: error,
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpError(400, 'invalid_body', 'the body could not be read', { cause: error });
  }
  // Other http-errors from Express and its middleware (e.g. a malformed URL for static files).
  const status = member(error, 'status');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'invalid_body';
    return new HttpError(status, code, 'the request could not be processed', { cause: error });
  }
  return new HttpError(500, 'internal', 'unexpected error', { cause: error });
}

/**
 * What a cause may say in a log line above debug: its name, code and HTTP status. Its message only
 * when it is a network failure (no HTTP status: "connect ECONNREFUSED 127.0.0.1:4511"), since an
 * upstream's message can quote the request (IVS validation messages can quote the userId).
 */
export function describeCause(cause: unknown): Record<string, unknown> {
  if (!(cause instanceof Error)) return { errorName: typeof cause };
  const code = member(cause, 'code');
  const metadata = member(cause, '$metadata');
  const status = isRecord(metadata) ? metadata.httpStatusCode : undefined;
  const inner = cause.cause instanceof Error ? cause.cause : undefined;
  return {
    errorName: cause.name,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
    ...(typeof status === 'number' ? { upstreamStatus: status } : { errorMessage: cause.message }),
    ...(inner ? { causeName: inner.name } : {}),
  };
}

/** The one error path: every thrown or forwarded error becomes problem+json, and one log line. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = toHttpError(error);
    const requestId = requestIdOf(res) ?? randomUUID();
    const cause = problem.cause ?? (problem === error ? undefined : error);
    // Our own messages are safe to log; the cause is described without echoing input.
    const fields = {
      requestId,
      status: problem.status,
      code: problem.code,
      reason: problem.message,
      ...(cause === undefined ? {} : describeCause(cause)),
    };
    // `upstream_busy` is admission doing its job (a caller told when to come back), not a failure.
    if (problem.status >= 500 && problem.code !== 'upstream_busy') logger.error('request failed', fields);
    else logger.info('request refused', fields);
    if (cause instanceof Error)
      logger.debug('request error detail', { requestId, errorMessage: cause.message });
    res
      .status(problem.status)
      .set(problem.headers)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: STATUS_CODES[problem.status] ?? 'Error',
          status: problem.status,
          detail: problem.expose
            ? problem.message
            : 'the service failed; retry later or report the request id',
          ...(problem.expose ? problem.extensions : {}),
          code: problem.code,
          requestId,
        }),
      );
  };
}

/** The configuration is wrong: thrown at startup, with a message that says what to fix. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
