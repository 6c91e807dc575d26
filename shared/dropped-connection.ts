/**
 * A pooled keep-alive connection that the server closed while it sat idle fails at once when it is
 * next used: the server's close and the next request cross. The window is as wide as the caller's
 * event-loop delay (a busy process has not yet seen the close), and in Lambda a connection can also
 * go stale while the runtime is frozen between invocations (aws/aws-sdk-js-v3#1196). An idempotent
 * request (a read) that fails so is sent once more, at once, on a new connection.
 */

import { isRecord } from './json.js';

/** Node's codes for a connection lost under a request (undici's for `fetch`: the review's remote check). */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Whether a failed request lost its connection before any answer: the code is on the error (the AWS
 * SDK, which also renames such errors `TimeoutError`) or on its cause (`fetch`). An error that carries
 * an HTTP status was answered, and is not one.
 */
export function connectionDropped(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const metadata = (error as { $metadata?: unknown }).$metadata;
  if (isRecord(metadata) && typeof metadata.httpStatusCode === 'number') return false;
  const code = (error as { code?: unknown }).code;
  const causeCode = isRecord(error.cause) ? error.cause.code : undefined;
  return (
    (typeof code === 'string' && DROPPED.has(code)) ||
    (typeof causeCode === 'string' && DROPPED.has(causeCode))
  );
}

/**
 * Runs an idempotent `request`, and runs it once more if its connection was dropped, unless `signal`
 * has been aborted meanwhile (the caller's deadline still bounds both).
 */
export async function againIfDropped<T>(signal: AbortSignal, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (signal.aborted || !connectionDropped(error)) throw error;
    return request();
  }
}
