/**
 * The control plane over HTTP, as @aws-sdk/client-ivschat speaks restJson1 (IVS Chat API reference, restJson1 as the SDK speaks it):
 * `POST /<Operation>` with a JSON body, the tag operations on `/tags/{resourceArn}`, any base path
 * in front kept. Errors carry the model's status, the `x-amzn-ErrorType` header and a
 * `{message, ...members}` body. Every call of a known operation counts against its quota (quotas.ts)
 * before its fields are validated, as a request rate counts requests, not successes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, type Logger } from '../../shared/logger.js';
import { parseLoggingConfigurationArn, parseRoomArn } from '../../shared/ivs/arn.js';
import { accessDenied, IvsChatError, throttled, validationError, type ResourceType } from './errors.js';
import type { Operation, OperationContext } from './operations/context.js';
import { createChatToken, deleteMessage, disconnectUser, sendEvent } from './operations/chat.js';
import {
  createLoggingConfiguration,
  deleteLoggingConfiguration,
  getLoggingConfiguration,
  listLoggingConfigurations,
  updateLoggingConfiguration,
} from './operations/logging-configurations.js';
import { createRoom, deleteRoom, getRoom, listRooms, updateRoom } from './operations/rooms.js';
import { listTagsForResource, tagResource, untagResource } from './operations/tags.js';
import { isRecord } from '../../shared/json.js';
import type { RatedOperation } from './quotas.js';

/** The operations on `POST /<Operation>`: every rated operation but the three on `/tags/`. */
type PostOperation = Exclude<RatedOperation, 'TagResource' | 'UntagResource' | 'ListTagsForResource'>;

const OPERATIONS: Readonly<Record<PostOperation, Operation>> = {
  CreateChatToken: createChatToken,
  CreateRoom: createRoom,
  GetRoom: getRoom,
  ListRooms: listRooms,
  UpdateRoom: updateRoom,
  DeleteRoom: deleteRoom,
  SendEvent: sendEvent,
  DeleteMessage: deleteMessage,
  DisconnectUser: disconnectUser,
  CreateLoggingConfiguration: createLoggingConfiguration,
  GetLoggingConfiguration: getLoggingConfiguration,
  ListLoggingConfigurations: listLoggingConfigurations,
  UpdateLoggingConfiguration: updateLoggingConfiguration,
  DeleteLoggingConfiguration: deleteLoggingConfiguration,
};

/** Own properties only: `POST /constructor` must not find what every object inherits. */
function isPostOperation(name: string): name is PostOperation {
  return Object.hasOwn(OPERATIONS, name);
}

/** The operation a request names, if it is one of the control plane's (for the log only). */
function knownOperation(request: IncomingMessage): RatedOperation | undefined {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (TAGS_PATH.test(path)) {
    const method = request.method ?? 'GET';
    if (method === 'POST') return 'TagResource';
    if (method === 'DELETE') return 'UntagResource';
    return method === 'GET' ? 'ListTagsForResource' : undefined;
  }
  const name = OPERATION_PATH.exec(path)?.[1] ?? '';
  return isPostOperation(name) ? name : undefined;
}

/** Operations that change stored resources (persistence snapshots after them). */
const MUTATING = new Set([
  'CreateRoom',
  'UpdateRoom',
  'DeleteRoom',
  'CreateLoggingConfiguration',
  'UpdateLoggingConfiguration',
  'DeleteLoggingConfiguration',
  'TagResource',
  'UntagResource',
]);

const MAX_BODY_BYTES = 256 * 1024;
const TAGS_PATH = /\/tags\/([^/]+)$/;
const OPERATION_PATH = /\/([A-Za-z]+)$/;

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw validationError([], 'OTHER', 'Request body too large');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw validationError([], 'OTHER', 'Request body is not valid JSON');
  }
  if (!isRecord(parsed)) throw validationError([], 'OTHER', 'Request body must be a JSON object');
  return parsed;
}

function send(
  response: ServerResponse,
  status: number,
  body: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'x-amzn-RequestId': randomUUID(),
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
    ...headers,
  });
  response.end(payload);
}

/**
 * Refuses what no AWS SDK sends but any web page can: a browser adds `Origin` to every cross-site
 * request, and a "simple" cross-site POST (one the browser sends without asking first) can only be
 * text/plain, form-encoded or multipart. The SDKs send `application/json` bodies and no Origin, so
 * these two checks keep a page a developer happens to open from creating or changing local rooms.
 */
function refuseBrowserRequest(request: IncomingMessage, method: string): void {
  if (request.headers.origin !== undefined) {
    throw accessDenied('The control plane does not accept requests from browsers (Origin is set)');
  }
  if (method !== 'POST') return;
  const mediaType = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw validationError([], 'OTHER', 'Content-Type must be application/json');
  }
}

const LOGGING_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateLoggingConfiguration',
  'GetLoggingConfiguration',
  'ListLoggingConfigurations',
  'UpdateLoggingConfiguration',
  'DeleteLoggingConfiguration',
]);

/**
 * What a ThrottlingException names (the model requires resourceId, resourceType and limit): the room
 * or logging configuration the request is about when it names one (read without validating: a
 * throttled request is not validated), else an empty id.
 */
function throttledResource(
  operation: RatedOperation,
  body: Readonly<Record<string, unknown>>,
  resourceArn: string | undefined,
): { resourceId: string; resourceType: ResourceType } {
  const logging = LOGGING_OPERATIONS.has(operation);
  const named = resourceArn ?? body.roomIdentifier ?? body.identifier;
  const arn = typeof named === 'string' ? named : '';
  const room = parseRoomArn(arn);
  if (room) return { resourceId: room.id, resourceType: 'ROOM' };
  const config = parseLoggingConfigurationArn(arn);
  if (config) return { resourceId: config.id, resourceType: 'LOGGING_CONFIGURATION' };
  return { resourceId: '', resourceType: logging ? 'LOGGING_CONFIGURATION' : 'ROOM' };
}

export interface ControlPlaneOptions {
  readonly context: OperationContext;
  readonly logger: Logger;
  readonly onChange: () => void;
}

export function createControlPlane(
  options: ControlPlaneOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { context, logger, onChange } = options;
  /** IVS's ThrottlingException (429) when the operation is over its TPS. */
  const admit = (
    operation: RatedOperation,
    body: Readonly<Record<string, unknown>>,
    resourceArn?: string,
  ): void => {
    if (context.quotas.take(operation)) return;
    const { resourceId, resourceType } = throttledResource(operation, body, resourceArn);
    throw throttled(context.quotas.rate(operation), resourceId, resourceType);
  };
  const route = async (
    request: IncomingMessage,
  ): Promise<{ name: string; status: number; body?: Record<string, unknown> }> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    refuseBrowserRequest(request, method);
    const tags = TAGS_PATH.exec(url.pathname);
    if (tags) {
      let resourceArn: string;
      try {
        resourceArn = decodeURIComponent(tags[1] ?? '');
      } catch {
        throw validationError([{ name: 'resourceArn', message: 'is not percent-encoded correctly' }]);
      }
      const body = method === 'POST' ? await readBody(request) : {};
      const operation =
        method === 'POST'
          ? 'TagResource'
          : method === 'DELETE'
            ? 'UntagResource'
            : method === 'GET'
              ? 'ListTagsForResource'
              : undefined;
      if (operation === undefined)
        throw validationError([], 'UNKNOWN_OPERATION', `${method} is not allowed on tags`);
      admit(operation, body, resourceArn);
      const handler =
        operation === 'TagResource'
          ? tagResource
          : operation === 'UntagResource'
            ? untagResource
            : listTagsForResource;
      const result = handler({ body, resourceArn, query: url.searchParams }, context);
      return {
        name: operation,
        status: result.status ?? 200,
        ...(result.body ? { body: { ...result.body } } : {}),
      };
    }
    const name = OPERATION_PATH.exec(url.pathname)?.[1] ?? '';
    if (method !== 'POST' || !isPostOperation(name))
      throw validationError([], 'UNKNOWN_OPERATION', `Unknown operation ${method} ${url.pathname}`);
    const body = await readBody(request);
    admit(name, body);
    const result = OPERATIONS[name]({ body }, context);
    return { name, status: result.status ?? 200, ...(result.body ? { body: { ...result.body } } : {}) };
  };

  return (request, response) => {
    const started = performance.now();
    route(request)
      .then((result) => {
        if (MUTATING.has(result.name)) onChange();
        send(response, result.status, result.status === 204 ? undefined : (result.body ?? {}));
        // Operation names and statuses only: never a body (tokens, user ids, attributes).
        logger.info('control plane', {
          operation: result.name,
          status: result.status,
          ms: Math.round(performance.now() - started),
        });
      })
      .catch((error: unknown) => {
        const known = error instanceof IvsChatError;
        // 4xx explain themselves to the caller; anything unexpected is a generic 500, details logged.
        const failure = known ? error : new IvsChatError('InternalServerException', 'Internal server error');
        if (!known) logger.error('control plane failed', describeError(error));
        else {
          // Which operation, when it is a known one: a throttle is only useful to read with its name.
          const operation = knownOperation(request);
          logger.info('control plane refused', {
            ...(operation ? { operation } : {}),
            errorName: failure.name,
            status: failure.status,
          });
        }
        if (!response.headersSent)
          send(response, failure.status, failure.body(), { 'x-amzn-ErrorType': failure.name });
      });
  };
}
