/**
 * The first middleware: every response, error or not, carries a request id, and one access-log line
 * is written when it finishes. The line never names the caller (no user id, no token, no query).
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { isRecord } from '../../../shared/json.js';
import type { Logger } from '../../../shared/logger.js';
import { startContext } from './request-context.js';

export interface PlatformIds {
  /** The id the platform's access log carries (API Gateway's `$context.requestId`). */
  readonly requestId: string;
  /** The function invocation's id (Lambda's awsRequestId), logged beside it. */
  readonly invocationId?: string;
}

// Letters, digits and the characters of UUIDs and base64 ids (API Gateway's end in '=').
const REQUEST_ID = /^[A-Za-z0-9_.+/=-]{1,64}$/;

/**
 * `platformIds`: the hosting platform's ids for a request (Lambda: API Gateway's and Lambda's), so
 * the service's lines join the platform's logs. Without one, a well-formed inbound X-Request-Id (from
 * a proxy in front) or a fresh UUID is used.
 */
export function accessLog(
  logger: Logger,
  platformIds?: (req: Request) => PlatformIds | undefined,
): RequestHandler {
  return (req, res, next) => {
    const platform = platformIds?.(req);
    const inbound = req.get('x-request-id');
    const requestId =
      platform?.requestId ?? (inbound !== undefined && REQUEST_ID.test(inbound) ? inbound : randomUUID());
    const invocation = platform?.invocationId === undefined ? {} : { awsRequestId: platform.invocationId };
    startContext(res, requestId);
    res.set('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const route: unknown = req.route;
      const path = isRecord(route) && typeof route.path === 'string' ? route.path : undefined;
      logger.info('request', {
        requestId,
        ...invocation,
        method: req.method,
        ...(path === undefined ? {} : { route: path }),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    next();
  };
}
