/**
 * A local stand-in for an API Gateway HTTP API in front of one Lambda function: each HTTP request
 * becomes a payload 2.0 event, the handler's result becomes the HTTP response (see ./event.ts).
 * Like Lambda, every invocation gets a context with a deadline; a throw, a malformed result or a
 * missed deadline is answered 500 `{"message":"Internal Server Error"}`, as API Gateway does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { describeError } from '../../shared/logger.js';
import {
  fromHttpApiResult,
  internalServerError,
  newRequestId,
  toHttpApiEvent,
  type HttpResponse,
} from './event.js';

export type LambdaHandler = (event: unknown, context: Context) => unknown;

export interface FunctionSettings {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly region: string;
}

export interface HttpApiServerOptions {
  readonly handler: LambdaHandler;
  readonly settings: FunctionSettings;
  /** Larger request bodies are refused with 413 before the handler runs (default 6 MB). */
  readonly maxBodyBytes?: number;
  /** One line per request and per failure (never bodies, headers or query strings). */
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

/** Lambda refuses synchronous invocation payloads over 6 MB; stop reading well before that. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'BODY_TOO_LARGE';
}

export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  readonly code = 'HANDLER_TIMEOUT';
}

export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
  readonly code = 'HANDLER_LOAD_FAILED';
}

/** The Lambda context object a Node.js handler receives; the callback-era methods are refused. */
export function createLambdaContext(
  settings: FunctionSettings,
  requestId: string,
  deadline: number,
): Context {
  const refuse = (): never => {
    throw new Error('context.done/succeed/fail are not supported: return a value or a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:123456789012:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local/[$LATEST]${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The Context type still lists the callback-era methods; they exist only to refuse their use.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: refuse,
    fail: refuse,
    succeed: refuse,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError(`request body over ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      resolveBody(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}

async function invokeWithDeadline(
  handler: LambdaHandler,
  event: unknown,
  context: Context,
  timeoutMs: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new HandlerTimeoutError(`the handler did not answer within ${timeoutMs} ms (the function's Timeout)`),
      );
    }, timeoutMs);
  });
  try {
    // The handler may return a value or a promise, or throw synchronously: treat all three alike.
    return await Promise.race([Promise.resolve().then(() => handler(event, context)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function send(response: ServerResponse, answer: HttpResponse, requestId: string): void {
  response.statusCode = answer.statusCode;
  const grouped = new Map<string, string[]>();
  for (const [name, value] of answer.headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  for (const [name, values] of grouped)
    response.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  response.setHeader('apigw-requestid', requestId);
  response.setHeader('content-length', answer.body.length);
  response.end(answer.body);
}

export function createHttpApiServer(options: HttpApiServerOptions): Server {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.settings.timeoutSeconds * 1000;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    const started = Date.now();
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    let answer: HttpResponse;
    try {
      const body = await readBody(request, limit);
      const event = toHttpApiEvent(
        {
          method,
          url: request.url ?? '/',
          httpVersion: request.httpVersion,
          rawHeaders: request.rawHeaders,
          remoteAddress: request.socket.remoteAddress ?? '127.0.0.1',
          body,
        },
        { now: now(), requestId },
      );
      const context = createLambdaContext(options.settings, requestId, started + timeoutMs);
      answer = fromHttpApiResult(await invokeWithDeadline(options.handler, event, context, timeoutMs));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        answer = {
          statusCode: 413,
          headers: [['content-type', 'application/json']],
          body: Buffer.from(JSON.stringify({ message: 'Request Entity Too Large' })),
        };
        response.setHeader('connection', 'close');
      } else {
        log(`${method} ${path} failed: ${JSON.stringify(describeError(error))}`);
        answer = internalServerError();
      }
    }
    send(response, answer, requestId);
    log(`${method} ${path} -> ${answer.statusCode} (${Date.now() - started} ms)`);
  };

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`adapter error: ${JSON.stringify(describeError(error))}`);
      if (!response.headersSent) send(response, internalServerError(), 'none');
      else response.destroy();
    });
  });
}

function isHandler(value: unknown): value is LambdaHandler {
  return typeof value === 'function';
}

/**
 * Loads a built CommonJS bundle the way the Lambda Node.js runtime does (`require`, module scope
 * runs once) and returns its exported handler. Handlers must take at most (event, context):
 * nodejs24.x refuses callback-style handlers (AWS Lambda Developer Guide, Node.js handler).
 */
export function loadHandler(bundlePath: string, exportName = 'handler'): LambdaHandler {
  const require = createRequire(import.meta.url);
  let exported: unknown;
  try {
    exported = require(resolve(bundlePath));
  } catch (error) {
    throw new HandlerLoadError(`cannot load ${bundlePath}: ${String(describeError(error).errorMessage)}`, {
      cause: error,
    });
  }
  const handler: unknown =
    typeof exported === 'object' && exported !== null ? Reflect.get(exported, exportName) : undefined;
  if (!isHandler(handler))
    throw new HandlerLoadError(`${bundlePath} exports no function named "${exportName}"`);
  if (handler.length > 2) {
    throw new HandlerLoadError(
      `${bundlePath}: "${exportName}" takes ${handler.length} parameters; at most 2 allowed`,
    );
  }
  return handler;
}
