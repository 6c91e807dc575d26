/**
 * The history item of one chat message, written by the chat-history Lambda and read by the token
 * service, so both agree on its attributes. The message `id` is the IVS message id, the one clients
 * see live, so a client can merge history with live messages without duplicates.
 *
 * Item: pk `ROOM#<roomId>`, sk `MSG#<id>`, gsi1pk `HISTORY#<roomId>`, gsi1sk `<sort time>#<id>`, and
 * `id`, `roomId`, `content`, `sendTime`, `sender {userId, attributes}`, `attributes`, `ttl`.
 * A deleted message leaves a tombstone (sk `DELETED#<id>`, `ttl`) that outlives it (see
 * lambdas/chat-history/store.ts for why).
 */
import { isRecord } from '../json.js';
import { keys, timeOrderKey } from './keys.js';

export type StringMap = Readonly<Record<string, string>>;

/** A message as the history API returns it: as it was delivered (after review), never as typed. */
export interface HistoryMessage {
  readonly id: string;
  readonly content: string;
  readonly sendTime: string;
  readonly sender: { readonly userId: string; readonly attributes: StringMap };
  readonly attributes: StringMap;
}

/** IVS message ids are 12 alphanumerics; a little slack, but never a '#' (keys are split on it). */
export const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** IVS room ids: exactly 12 alphanumerics. */
export const ROOM_ID = /^[A-Za-z0-9]{12}$/;

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * IVS sends SendTime with up to nine fractional digits (e.g. `2023-01-05T14:33:32.894089757Z`) and
 * the emulator with three. As text, `…32.9Z` would sort after `…32.894089757Z`'s siblings wrongly
 * ('Z' > '0'), so the sort key pads every time to nine digits: fixed width, so text order is time order.
 * Undefined when the text is not an ISO-8601 UTC time.
 */
export function sortableTime(isoTime: string): string | undefined {
  const match = ISO_UTC.exec(isoTime);
  if (!match) return undefined;
  const [, seconds = '', fraction = ''] = match;
  if (Number.isNaN(Date.parse(`${seconds}Z`))) return undefined;
  return `${seconds}.${fraction.padEnd(9, '0')}Z`;
}

/** Epoch milliseconds of an ISO-8601 UTC time with up to nine fractional digits. */
export function timeMs(isoTime: string): number | undefined {
  const sortable = sortableTime(isoTime);
  // Date.parse reads at most milliseconds reliably: drop the digits beyond them.
  return sortable === undefined ? undefined : Date.parse(`${sortable.slice(0, 23)}Z`);
}

/** The gsi1 sort key of a message: what a history page is ordered and resumed by. */
export function historySortKey(sendTime: string, messageId: string): string | undefined {
  const time = sortableTime(sendTime);
  return time === undefined ? undefined : timeOrderKey(time, messageId);
}

const HISTORY_SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z#([A-Za-z0-9_-]{1,64})$/;

/** The message id in a history sort key, or undefined when the text is not one. */
export function parseHistorySortKey(text: unknown): { sortKey: string; messageId: string } | undefined {
  if (typeof text !== 'string') return undefined;
  const match = HISTORY_SORT_KEY.exec(text);
  return match?.[1] === undefined ? undefined : { sortKey: text, messageId: match[1] };
}

export interface MessageItemInput extends HistoryMessage {
  readonly roomId: string;
  /** Epoch seconds after which the item is expired (DynamoDB TTL; readers check it too). */
  readonly ttl: number;
}

export function messageItem(input: MessageItemInput): Record<string, unknown> | undefined {
  const sortKey = historySortKey(input.sendTime, input.id);
  if (sortKey === undefined) return undefined;
  return {
    ...keys.message(input.roomId, input.id),
    gsi1pk: keys.history(input.roomId),
    gsi1sk: sortKey,
    id: input.id,
    roomId: input.roomId,
    content: input.content,
    sendTime: input.sendTime,
    sender: { userId: input.sender.userId, attributes: { ...input.sender.attributes } },
    attributes: { ...input.attributes },
    ttl: input.ttl,
  };
}

function stringMap(value: unknown): StringMap | undefined {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return undefined;
    map[key] = entry;
  }
  return map;
}

/** A stored item back into the API shape; undefined for an item that is not a well-formed message. */
export function parseMessageItem(item: unknown): HistoryMessage | undefined {
  if (!isRecord(item) || !isRecord(item.sender)) return undefined;
  const { id, content, sendTime } = item;
  const { userId } = item.sender;
  if (typeof id !== 'string' || typeof content !== 'string' || typeof sendTime !== 'string') return undefined;
  if (typeof userId !== 'string') return undefined;
  const senderAttributes = stringMap(item.sender.attributes);
  const attributes = stringMap(item.attributes);
  if (!senderAttributes || !attributes) return undefined;
  return { id, content, sendTime, sender: { userId, attributes: senderAttributes }, attributes };
}

/** Whether an item's `ttl` (epoch seconds) has passed: DynamoDB deletes expired items only lazily. */
export function isExpired(item: Record<string, unknown>, nowMs: number): boolean {
  return typeof item.ttl === 'number' && item.ttl * 1000 <= nowMs;
}
