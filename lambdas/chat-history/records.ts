/**
 * One IVS chat log record, as the AWS IVS Chat user guide ("IVS Chat Logging", message content)
 * documents it: `{"event_timestamp", "type": "MESSAGE"|"EVENT", "version", "payload"}`, where the
 * payload is the Message or Event frame clients receive over the messaging WebSocket (so `Content`
 * is what was delivered after review, e.g. masked, never what was typed). The room is not in the
 * record: with a CloudWatch Logs destination each room writes to its own log stream
 * (shared/ivs/chat-log.ts).
 */
import { isRecord } from '../../shared/json.js';
import { APPROVED_MESSAGE_EVENT, parseApprovedMessage } from '../../shared/review/approved-message.js';
import {
  MESSAGE_ID,
  sortableTime,
  timeMs,
  type HistoryMessage,
  type StringMap,
} from '../../shared/table/messages.js';

export type ChatLogRecord =
  | { readonly kind: 'message'; readonly message: HistoryMessage; readonly sendTimeMs: number }
  | { readonly kind: 'delete'; readonly messageId: string; readonly timeMs: number }
  /**
   * Any other event (aws:DISCONNECT_USER, an app's SendEvent): nothing to keep. An approved held
   * message (`app:approved-message`) is a `message`: clients show it as one.
   */
  | { readonly kind: 'other' };

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const USER_ID_MAX = 128;

function stringMap(value: unknown): StringMap | undefined {
  // The messaging API sends `Attributes: null` for a message sent without attributes.
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return undefined;
    map[key] = entry;
  }
  return map;
}

function parseMessage(payload: Record<string, unknown>): Parsed<ChatLogRecord> {
  const { Id, Content, SendTime, Sender } = payload;
  if (typeof Id !== 'string' || !MESSAGE_ID.test(Id)) return { ok: false, problem: 'message Id' };
  if (typeof Content !== 'string') return { ok: false, problem: 'message Content' };
  if (typeof SendTime !== 'string' || sortableTime(SendTime) === undefined)
    return { ok: false, problem: 'message SendTime' };
  if (!isRecord(Sender) || typeof Sender.UserId !== 'string') return { ok: false, problem: 'message Sender' };
  if (Sender.UserId.length === 0 || Sender.UserId.length > USER_ID_MAX)
    return { ok: false, problem: 'message Sender.UserId' };
  const senderAttributes = stringMap(Sender.Attributes);
  const attributes = stringMap(payload.Attributes);
  if (!senderAttributes) return { ok: false, problem: 'message Sender.Attributes' };
  if (!attributes) return { ok: false, problem: 'message Attributes' };
  const sendTimeMs = timeMs(SendTime);
  if (sendTimeMs === undefined) return { ok: false, problem: 'message SendTime' };
  return {
    ok: true,
    value: {
      kind: 'message',
      sendTimeMs,
      message: {
        id: Id,
        content: Content,
        sendTime: SendTime,
        sender: { userId: Sender.UserId, attributes: senderAttributes },
        attributes,
      },
    },
  };
}

function parseEvent(payload: Record<string, unknown>, eventTimestamp: string): Parsed<ChatLogRecord> {
  if (typeof payload.EventName !== 'string') return { ok: false, problem: 'event EventName' };
  if (payload.EventName === APPROVED_MESSAGE_EVENT) return parseApprovedEvent(payload, eventTimestamp);
  if (payload.EventName !== 'aws:DELETE_MESSAGE') return { ok: true, value: { kind: 'other' } };
  const attributes = isRecord(payload.Attributes) ? payload.Attributes : {};
  // The event names the message under `MessageId` and under the deprecated `MessageID`; older
  // records may carry only the latter (AWS's own chat replay sample reads `MessageID`).
  const messageId = typeof attributes.MessageId === 'string' ? attributes.MessageId : attributes.MessageID;
  if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId))
    return { ok: false, problem: 'delete event MessageId' };
  const time = timeMs(typeof payload.SendTime === 'string' ? payload.SendTime : eventTimestamp);
  if (time === undefined) return { ok: false, problem: 'delete event SendTime' };
  return { ok: true, value: { kind: 'delete', messageId, timeMs: time } };
}

/**
 * A held message a moderator approved, delivered as an event (shared/review/approved-message.ts): kept
 * as a message of its original sender, from the event's attributes (only the token service, the
 * room's moderators' agent, sends `app:` events: the moderation route refuses them), at the time it
 * reached the room, under the event's id. Its `heldId` stays in the message's attributes.
 */
function parseApprovedEvent(payload: Record<string, unknown>, eventTimestamp: string): Parsed<ChatLogRecord> {
  const approved = parseApprovedMessage(payload.Attributes);
  if (approved === undefined) return { ok: false, problem: 'approved message Attributes' };
  const { Id } = payload;
  if (typeof Id !== 'string' || !MESSAGE_ID.test(Id)) return { ok: false, problem: 'approved message Id' };
  const sendTime = typeof payload.SendTime === 'string' ? payload.SendTime : eventTimestamp;
  const sendTimeMs = sortableTime(sendTime) === undefined ? undefined : timeMs(sendTime);
  if (sendTimeMs === undefined) return { ok: false, problem: 'approved message SendTime' };
  return {
    ok: true,
    value: {
      kind: 'message',
      sendTimeMs,
      message: {
        id: Id,
        content: approved.text,
        sendTime,
        sender: { userId: approved.sender.userId, attributes: { ...approved.sender.attributes } },
        attributes: { heldId: approved.heldId },
      },
    },
  };
}

/** Parses one log event's `message` text; never throws. */
export function parseChatLogRecord(text: string): Parsed<ChatLogRecord> {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (!isRecord(record) || !isRecord(record.payload)) return { ok: false, problem: 'no payload object' };
  const { type, version, payload } = record;
  const eventTimestamp = typeof record.event_timestamp === 'string' ? record.event_timestamp : '';
  // Only the documented format version 1.x: a later one may mean something else by the same fields.
  if (typeof version !== 'string' || !/^1(\.|$)/.test(version)) return { ok: false, problem: 'version' };
  if (payload.Type !== type) return { ok: false, problem: 'type and payload.Type differ' };
  if (type === 'MESSAGE') return parseMessage(payload);
  if (type === 'EVENT') return parseEvent(payload, eventTimestamp);
  return { ok: false, problem: 'type' };
}
