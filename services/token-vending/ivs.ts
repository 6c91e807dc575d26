/**
 * The IVS Chat client and what its failures mean to our callers. Errors are mapped by `name`
 * (the SDK names them after the `x-amzn-ErrorType` header, ivschat-facts.md §3), then by status.
 */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpError } from './errors.js';
import type { IvsConfig } from './config.js';

export function createIvsClient(config: IvsConfig): IvschatClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new IvschatClient({
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    // The emulator ignores SigV4, but the SDK still signs and so needs some credentials (§3).
    ...(config.dummyCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    // Bounded retries: the SDK retries throttling and 5xx; with the timeouts below no token request
    // waits on IVS more than maxAttempts × (connection + request timeout) plus a short backoff.
    maxAttempts: config.maxAttempts,
    // Resolve the middleware stack once per command class, not on every send (a documented SDK
    // option; we never change the stack after creating the client).
    cacheMiddleware: true,
    requestHandler: {
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // Without this the handler only warns when requestTimeout passes and the request keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: new Agent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
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
 *   503 with Retry-After (CreateChatToken is capped at 200 TPS per account and region, §1);
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
