/**
 * What sits in front of every route that reads a body: header shapes the HTTP parser would otherwise
 * settle silently, the media type and charset, and the JSON parser with its size limit. Each refusal
 * is a plain HttpError, rendered by the app's one error path.
 */
import express, { type RequestHandler } from 'express';
import { BODY_LIMIT_BYTES, HttpError } from './problem.js';
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

export const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json') === false || req.is('application/json') === null) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

/**
 * For routes whose body is optional (DELETE with a reason): no body is fine, a body must be JSON.
 * The route then reads an absent body as `{}`.
 */
export const jsonIfBody: RequestHandler = (req, _res, next) => {
  const length = req.get('content-length');
  const hasBody = (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
  if (hasBody && !req.is('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

/** The JSON body parser with a limit (strict: the body is an object or an array). */
export function jsonBody(limitBytes: number = BODY_LIMIT_BYTES): RequestHandler {
  return express.json({ limit: limitBytes, type: 'application/json', strict: true });
}
