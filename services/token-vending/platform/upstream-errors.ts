/**
 * What an IVS or DynamoDB failure becomes for our caller: a problem the caller can act on (retry
 * later, fix the request) or our own misconfiguration (logged as an error, a generic answer).
 */
import { HttpError } from './problem.js';

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
