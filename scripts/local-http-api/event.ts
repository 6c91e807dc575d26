/**
 * Translation between plain HTTP and the API Gateway HTTP API Lambda proxy payload, format 2.0 — what
 * `sam local start-api` does for an `HttpApi` event. Shapes follow the API Gateway developer guide
 * ("Create AWS Lambda proxy integrations for HTTP APIs"): format 2.0 has no multiValueHeaders;
 * duplicate headers and query parameters are joined with commas; request cookies arrive in `cookies`;
 * each response cookie becomes its own set-cookie header; a result without a statusCode is sent as
 * 200 application/json.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRecord } from '../../shared/json.js';

/** What the adapter needs to know about one HTTP request (a subset of IncomingMessage). */
export interface HttpRequestInfo {
  readonly method: string;
  /** The request target as received, e.g. `/v1/chat-tokens?x=1`. */
  readonly url: string;
  readonly httpVersion: string;
  /** Alternating names and values, as node's `rawHeaders`. */
  readonly rawHeaders: readonly string[];
  readonly remoteAddress: string;
  readonly body: Buffer;
}

export interface EventOptions {
  readonly now: Date;
  readonly requestId: string;
  readonly apiId?: string;
  readonly accountId?: string;
}

/** Content types whose bodies API Gateway passes as text; any other body travels base64-encoded. */
const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded|graphql)\b)/i;

export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType.trim());
}

/** An API Gateway style request id: random, URL-safe, never derived from the request. */
export function newRequestId(): string {
  return randomBytes(12).toString('base64url');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** requestContext.time is in CLF form, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  return (
    `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  return {
    rawPath: path === '' ? '/' : path,
    rawQueryString: question === -1 ? '' : url.slice(question + 1),
  };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const joined: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    joined[key] = key in joined ? `${joined[key] ?? ''},${value}` : value;
  }
  return joined;
}

/** Translates one HTTP request into the event API Gateway would send for the `$default` route. */
export function toHttpApiEvent(request: HttpRequestInfo, options: EventOptions): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] ?? '').toLowerCase();
    const value = request.rawHeaders[index + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name] ?? ''},${value}` : value;
  }
  const { rawPath, rawQueryString } = splitTarget(request.url);
  const query = queryParameters(rawQueryString);
  const host = headers.host ?? 'localhost';
  const domainName = host.replace(/:\d+$/, '');
  const hasBody = request.body.length > 0;
  const textBody = isTextContentType(headers['content-type']);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: options.accountId ?? '123456789012',
      apiId: options.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.remoteAddress.replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId,
      routeKey: '$default',
      stage: '$default',
      time: formatRequestTime(options.now),
      timeEpoch: options.now.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(textBody ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: hasBody && !textBody,
  };
}

/** An HTTP response ready to write: headers as pairs so set-cookie can repeat. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export class InvalidResultError extends Error {
  override readonly name = 'InvalidResultError';
  readonly code = 'INVALID_LAMBDA_RESULT';
}

/** What API Gateway answers when the function fails, times out or returns something malformed. */
export function internalServerError(): HttpResponse {
  return {
    statusCode: 500,
    headers: [['content-type', 'application/json']],
    body: Buffer.from(JSON.stringify({ message: 'Internal Server Error' })),
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Translates what the handler returned into the HTTP response API Gateway would send. Throws
 * InvalidResultError (→ 500) for results API Gateway would reject.
 */
export function fromHttpApiResult(result: unknown): HttpResponse {
  if (result === undefined || result === null) {
    throw new InvalidResultError('the handler returned no result');
  }
  if (!isRecord(result) || !('statusCode' in result)) {
    // No statusCode: API Gateway sends the value itself as a 200 application/json body.
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body) };
  }
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new InvalidResultError('statusCode must be an integer from 100 to 599');
  }
  if (!isRecord(headers)) throw new InvalidResultError('headers must be an object');
  if (!isStringList(cookies)) throw new InvalidResultError('cookies must be a list of strings');
  if (typeof body !== 'string') throw new InvalidResultError('body must be a string');
  if (typeof isBase64Encoded !== 'boolean') throw new InvalidResultError('isBase64Encoded must be a boolean');
  const pairs: (readonly [string, string])[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new InvalidResultError(`header ${name} must be a string, number or boolean`);
    }
    pairs.push([name.toLowerCase(), String(value)]);
  }
  for (const cookie of cookies) pairs.push(['set-cookie', cookie]);
  return { statusCode, headers: pairs, body: Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') };
}
