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
  'room_not_found',
  'not_found',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'ivs_rejected',
  'upstream_misconfigured',
  'upstream_error',
  'upstream_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface HttpErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
  /** Defaults to status < 500. */
  readonly expose?: boolean;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
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
