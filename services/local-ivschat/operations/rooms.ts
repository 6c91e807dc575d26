/** CreateRoom, GetRoom, UpdateRoom, DeleteRoom and ListRooms, with the model's shapes and bounds. */
import { formatArn, newResourceId, parseLoggingConfigurationArn } from '../../../shared/ivs/arn.js';
import { FALLBACK_RESULTS, IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { accessDenied, notFound } from '../errors.js';
import { parseLambdaArn } from '../functions.js';
import type { MessageReviewHandler, Room } from '../store.js';
import { Fields } from '../validation.js';
import { findRoom, type Operation, type OperationContext } from './context.js';

export function roomOutput(room: Room, tags: Record<string, string>): Record<string, unknown> {
  return {
    arn: room.arn,
    id: room.id,
    name: room.name,
    createTime: room.createTime,
    updateTime: room.updateTime,
    maximumMessageRatePerSecond: room.maximumMessageRatePerSecond,
    maximumMessageLength: room.maximumMessageLength,
    ...(room.messageReviewHandler ? { messageReviewHandler: room.messageReviewHandler } : {}),
    tags,
    loggingConfigurationIdentifiers: [...room.loggingConfigurationIdentifiers],
  };
}

function roomSummary(room: Room, tags: Record<string, string>): Record<string, unknown> {
  return {
    arn: room.arn,
    id: room.id,
    name: room.name,
    ...(room.messageReviewHandler ? { messageReviewHandler: room.messageReviewHandler } : {}),
    createTime: room.createTime,
    updateTime: room.updateTime,
    tags,
    loggingConfigurationIdentifiers: [...room.loggingConfigurationIdentifiers],
  };
}

const { roomName, maximumMessageLength, maximumMessageRatePerSecond, reviewHandlerUri } = IVS_LIMITS;

/** messageReviewHandler: a Lambda ARN (or "" to detach) in the room's own account and region. */
function reviewHandler(fields: Fields, context: OperationContext): MessageReviewHandler | undefined {
  const handler = fields.object('messageReviewHandler');
  if (!handler) return undefined;
  const uri = handler.string('uri', { max: reviewHandlerUri.max, pattern: reviewHandlerUri.pattern }) ?? '';
  const fallbackResult = handler.oneOf('fallbackResult', FALLBACK_RESULTS) ?? 'ALLOW';
  if (uri !== '') {
    const arn = parseLambdaArn(uri);
    // IVS invokes only a Lambda in the room's account and region (IVS Chat User Guide, chat message review handler).
    if (arn && (arn.region !== context.region || arn.accountId !== context.accountId)) {
      throw accessDenied(
        `IVS Chat can only invoke a Lambda function in ${context.region} and account ${context.accountId}`,
      );
    }
  }
  fields.absorb(handler);
  return { uri, fallbackResult };
}

/** At most 3 logging configurations per room, each an existing one's ARN. */
function loggingIdentifiers(fields: Fields, context: OperationContext): string[] | undefined {
  const list = fields.list('loggingConfigurationIdentifiers');
  if (!list) return undefined;
  if (list.length > IVS_LIMITS.loggingConfigurations.perRoom) {
    fields.fail(
      'loggingConfigurationIdentifiers',
      `must have at most ${IVS_LIMITS.loggingConfigurations.perRoom} items`,
    );
    fields.check();
  }
  const identifiers: string[] = [];
  for (const [index, value] of list.entries()) {
    const arn = parseLoggingConfigurationArn(value);
    if (!arn || typeof value !== 'string') {
      fields.fail(`loggingConfigurationIdentifiers[${index}]`, 'must be a logging configuration ARN');
      continue;
    }
    if (!identifiers.includes(value)) identifiers.push(value);
  }
  fields.check();
  for (const identifier of identifiers) {
    const id = parseLoggingConfigurationArn(identifier)?.id ?? identifier;
    const config = context.store.loggingConfigurations.get(id);
    if (!config || config.arn !== identifier) throw notFound(id, 'LOGGING_CONFIGURATION');
  }
  return identifiers;
}

export const createRoom: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  const name = fields.string('name', { max: roomName.max, pattern: roomName.pattern });
  const rate = fields.integer(
    'maximumMessageRatePerSecond',
    maximumMessageRatePerSecond.min,
    maximumMessageRatePerSecond.max,
  );
  const length = fields.integer('maximumMessageLength', maximumMessageLength.min, maximumMessageLength.max);
  const handler = reviewHandler(fields, context);
  const tags = fields.tags();
  fields.check();
  const logging = loggingIdentifiers(fields, context);
  const id = newResourceId();
  const now = context.clock.now().toISOString();
  const room: Room = {
    id,
    arn: formatArn({ region: context.region, accountId: context.accountId, resourceType: 'room', id }),
    name: name ?? '',
    createTime: now,
    updateTime: now,
    maximumMessageRatePerSecond: rate ?? maximumMessageRatePerSecond.default,
    maximumMessageLength: length ?? maximumMessageLength.default,
    ...(handler ? { messageReviewHandler: handler } : {}),
    loggingConfigurationIdentifiers: logging ?? [],
  };
  context.store.rooms.set(id, room);
  context.store.setTags(room.arn, tags ?? {});
  if (handler && handler.uri !== '') context.functions.warm(handler.uri);
  return { body: roomOutput(room, context.store.tagsOf(room.arn)) };
};

export const getRoom: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('identifier');
  fields.check();
  const room = findRoom(context, String(fields.raw('identifier')));
  return { body: roomOutput(room, context.store.tagsOf(room.arn)) };
};

/** Changes apply at once to live connections: messaging reads the room at every request. */
export const updateRoom: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('identifier');
  const name = fields.string('name', { max: roomName.max, pattern: roomName.pattern });
  const rate = fields.integer(
    'maximumMessageRatePerSecond',
    maximumMessageRatePerSecond.min,
    maximumMessageRatePerSecond.max,
  );
  const length = fields.integer('maximumMessageLength', maximumMessageLength.min, maximumMessageLength.max);
  const handler = reviewHandler(fields, context);
  fields.check();
  const logging = loggingIdentifiers(fields, context);
  const room = findRoom(context, String(fields.raw('identifier')));
  if (name !== undefined) room.name = name;
  if (rate !== undefined) room.maximumMessageRatePerSecond = rate;
  if (length !== undefined) room.maximumMessageLength = length;
  if (handler !== undefined) {
    // An empty uri detaches the handler (IVS Chat API reference and service quotas).
    if (handler.uri === '') delete room.messageReviewHandler;
    else {
      room.messageReviewHandler = handler;
      context.functions.warm(handler.uri);
    }
  }
  if (logging !== undefined) room.loggingConfigurationIdentifiers = logging;
  room.updateTime = context.clock.now().toISOString();
  return { body: roomOutput(room, context.store.tagsOf(room.arn)) };
};

/** 204, no body; every client of the room is disconnected. */
export const deleteRoom: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('identifier');
  fields.check();
  const room = findRoom(context, String(fields.raw('identifier')));
  context.store.rooms.delete(room.id);
  context.store.setTags(room.arn, {});
  context.messaging.closeRoom(room.id);
  return { status: 204 };
};

interface Cursor {
  readonly updateTime: string;
  readonly id: string;
}

/** Rooms sort by updateTime descending, then id, so a cursor names a stable position. */
function comesBefore(a: Cursor, b: Cursor): boolean {
  if (a.updateTime !== b.updateTime) return a.updateTime > b.updateTime;
  return a.id < b.id;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.updateTime, cursor.id])).toString('base64url');
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const updateTime: unknown = value[0];
    const id: unknown = value[1];
    if (typeof updateTime !== 'string' || typeof id !== 'string') return undefined;
    return { updateTime, id };
  } catch {
    return undefined;
  }
}

export const listRooms: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  const name = fields.string('name', { max: roomName.max, pattern: roomName.pattern });
  const nextToken = fields.string('nextToken', { max: 1024 });
  const { min, max } = IVS_LIMITS.listMaxResults;
  const maxResults = fields.integer('maxResults', min, max) ?? IVS_LIMITS.listMaxResults.default;
  const uri = fields.string('messageReviewHandlerUri', {
    max: reviewHandlerUri.max,
    pattern: reviewHandlerUri.pattern,
  });
  const logging = fields.string('loggingConfigurationIdentifier', { max: 128 });
  if (logging !== undefined && !parseLoggingConfigurationArn(logging)) {
    fields.fail('loggingConfigurationIdentifier', 'must be a logging configuration ARN');
  }
  const cursor = nextToken === undefined || nextToken === '' ? undefined : decodeCursor(nextToken);
  if (nextToken !== undefined && nextToken !== '' && !cursor)
    fields.fail('nextToken', 'is not a token ListRooms issued');
  fields.check();
  const matching = [...context.store.rooms.values()]
    .filter((room) => name === undefined || room.name === name)
    .filter((room) => uri === undefined || room.messageReviewHandler?.uri === uri)
    .filter((room) => logging === undefined || room.loggingConfigurationIdentifiers.includes(logging))
    .sort((a, b) => (comesBefore(a, b) ? -1 : 1))
    .filter((room) => !cursor || comesBefore(cursor, room));
  const page = matching.slice(0, maxResults);
  const last = page.at(-1);
  return {
    body: {
      rooms: page.map((room) => roomSummary(room, context.store.tagsOf(room.arn))),
      ...(matching.length > page.length && last ? { nextToken: encodeCursor(last) } : {}),
    },
  };
};
