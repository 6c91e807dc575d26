/**
 * The service's one error type. Every refusal carries a stable `code` callers can switch on, the HTTP
 * status, and `expose`: a 4xx detail goes to the caller, a 5xx detail stays in the log and the caller
 * gets a generic text (Middy's http-errors habit). Rendered as RFC 9457 problem+json by the app.
 */
export const ERROR_CODES = [
  'invalid_body',
  'invalid_request',
  'invalid_json',
  'invalid_token',
  'missing_token',
  'forbidden',
  'not_a_member',
  'banned',
  'timed_out',
  'room_not_found',
  'member_not_found',
  'invalid_parameter',
  'invalid_next_token',
  'conflict',
  'not_found',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'ivs_rejected',
  'upstream_misconfigured',
  'upstream_error',
  'upstream_unavailable',
  'store_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface HttpErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** Defaults to status < 500. */
  readonly expose?: boolean;
  /** Problem extension members (RFC 9457 §3.2), e.g. a ban's `until` and `reason`. */
  readonly extensions?: Readonly<Record<string, string>>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, string>>;

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

/** The configuration is wrong: thrown at startup, with a message that says what to fix. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

function field(error: unknown, key: string): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  const value: unknown = Reflect.get(error, key);
  return value;
}

function httpStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

/** Seconds a caller should wait before retrying when IVS is throttling or unavailable. */
export const IVS_RETRY_AFTER_SECONDS = 2;

/**
 * What an IVS (or network) failure becomes for our caller:
 * - ResourceNotFoundException → 404 (the room does not exist);
 * - ValidationException → 400 (IVS refused the request we built from the caller's input);
 * - AccessDeniedException, PendingVerification → 502: our IAM/account is misconfigured, the caller
 *   cannot fix it (logged as an error by the app);
 * - ThrottlingException, ServiceQuotaExceededException, any 5xx, timeouts and refused connections →
 *   503 with Retry-After (CreateChatToken is capped at 200 TPS per account and region, IVS Chat service quotas);
 * - anything else → 502.
 */
export function mapIvsError(error: unknown): HttpError {
  const name = field(error, 'name');
  const status = httpStatus(error);
  const unavailable = (): HttpError =>
    new HttpError(503, 'upstream_unavailable', 'IVS Chat is unavailable or throttling; retry later', {
      headers: { 'Retry-After': String(IVS_RETRY_AFTER_SECONDS) },
      cause: error,
      expose: true,
    });
  switch (name) {
    case 'ResourceNotFoundException':
      return new HttpError(404, 'room_not_found', 'the room does not exist', { cause: error });
    case 'ValidationException':
      return new HttpError(400, 'ivs_rejected', 'IVS Chat refused the request as invalid', { cause: error });
    case 'AccessDeniedException':
    case 'PendingVerification':
      return new HttpError(502, 'upstream_misconfigured', 'the chat service is misconfigured', {
        cause: error,
      });
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
    case 'InternalServerException':
    case 'TimeoutError':
    case 'AbortError':
      return unavailable();
  }
  // No HTTP status at all means no answer: refused connection, reset, DNS failure, timeout.
  if (status === undefined || status >= 500) return unavailable();
  return new HttpError(502, 'upstream_error', 'the chat service answered unexpectedly', { cause: error });
}

/**
 * What a DynamoDB failure becomes for our caller. Throttling, 5xx, timeouts and refused connections
 * are 503 with Retry-After (the caller can retry; nothing was half-done that a retry cannot finish);
 * anything else is our bug or misconfiguration (a missing table, a denied action): 500, logged.
 */
export function mapTableError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const name = field(error, 'name');
  const status = httpStatus(error);
  const retryable =
    name === 'ProvisionedThroughputExceededException' ||
    name === 'ThrottlingException' ||
    name === 'RequestLimitExceeded' ||
    name === 'InternalServerError' ||
    name === 'ServiceUnavailable' ||
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    status === undefined ||
    status >= 500;
  if (retryable) {
    return new HttpError(503, 'store_unavailable', 'the state store is unavailable; retry later', {
      headers: { 'Retry-After': String(IVS_RETRY_AFTER_SECONDS) },
      cause: error,
      expose: true,
    });
  }
  return new HttpError(500, 'internal', 'the state store refused the request', { cause: error });
}
