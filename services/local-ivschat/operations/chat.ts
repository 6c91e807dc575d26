/** CreateChatToken and the three data-plane operations that reach live connections. */
import { CHAT_TOKEN_CAPABILITIES, IVS_LIMITS, type ChatTokenCapability } from '../../../shared/ivs/limits.js';
import { Fields } from '../validation.js';
import { findRoom, type Operation } from './context.js';

const { sessionDurationMinutes, userIdLength, attributesMaxBytes, reasonLength, eventNameLength } =
  IVS_LIMITS;

/** Capabilities: a list of the three known values; none means view only. */
function capabilities(fields: Fields): ChatTokenCapability[] {
  const list = fields.list('capabilities') ?? [];
  const found: ChatTokenCapability[] = [];
  for (const [index, value] of list.entries()) {
    const capability = CHAT_TOKEN_CAPABILITIES.find((candidate) => candidate === value);
    if (!capability)
      fields.fail(`capabilities[${index}]`, `must be one of ${CHAT_TOKEN_CAPABILITIES.join(', ')}`);
    else if (!found.includes(capability)) found.push(capability);
  }
  return found;
}

export const createChatToken: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('roomIdentifier');
  const userId = fields.string('userId', { required: true, min: userIdLength.min, max: userIdLength.max });
  const granted = capabilities(fields);
  const minutes =
    fields.integer('sessionDurationInMinutes', sessionDurationMinutes.min, sessionDurationMinutes.max) ??
    sessionDurationMinutes.default;
  const attributes = fields.stringMap('attributes', { maxBytes: attributesMaxBytes }) ?? {};
  fields.check();
  const room = findRoom(context, String(fields.raw('roomIdentifier')));
  const now = context.clock.now().getTime();
  const sessionExpiresAt = now + minutes * 60_000;
  const { token, tokenExpiresAt } = context.tokens.issue(
    { roomId: room.id, userId: userId ?? '', capabilities: granted, attributes, sessionExpiresAt },
    now,
  );
  return {
    body: {
      token,
      tokenExpirationTime: new Date(tokenExpiresAt).toISOString(),
      sessionExpirationTime: new Date(sessionExpiresAt).toISOString(),
    },
  };
};

/** An EVENT with `RequestId: ""` to everyone in the room; answers the event's Id. */
export const sendEvent: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('roomIdentifier');
  const eventName = fields.string('eventName', {
    required: true,
    min: eventNameLength.min,
    max: eventNameLength.max,
  });
  const attributes = fields.stringMap('attributes', { maxBytes: attributesMaxBytes }) ?? {};
  fields.check();
  const room = findRoom(context, String(fields.raw('roomIdentifier')));
  const id = context.messaging.sendEvent(room.id, eventName ?? '', attributes);
  return { body: { id } };
};

/** `aws:DELETE_MESSAGE` to everyone; answers the event's own (fresh) Id. */
export const deleteMessage: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('roomIdentifier');
  const id = fields.string('id', { required: true, min: 1, max: 12, pattern: /^[a-zA-Z0-9]+$/ });
  const reason = fields.string('reason', { min: reasonLength.min, max: reasonLength.max });
  fields.check();
  const room = findRoom(context, String(fields.raw('roomIdentifier')));
  const eventId = context.messaging.deleteMessage(room.id, id ?? '', reason);
  return { body: { id: eventId } };
};

/** `aws:DISCONNECT_USER` to everyone, then every connection of that user in the room closes. */
export const disconnectUser: Operation = ({ body }, context) => {
  const fields = new Fields(body);
  fields.roomArn('roomIdentifier');
  const userId = fields.string('userId', { required: true, min: userIdLength.min, max: userIdLength.max });
  const reason = fields.string('reason', { min: reasonLength.min, max: reasonLength.max });
  fields.check();
  const room = findRoom(context, String(fields.raw('roomIdentifier')));
  context.messaging.disconnectUser(room.id, userId ?? '', reason);
  return { body: {} };
};
