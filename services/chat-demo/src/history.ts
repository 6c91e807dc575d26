/**
 * Merging a room's history (`GET /v1/rooms/{roomId}/messages`, newest first) with the messages
 * that arrive live, into the one list the page shows, oldest first. Pure, so it is unit-tested in
 * Node; message-list.ts keeps the list and puts each new message where `insertionPoints` says.
 *
 * The page connects first and fetches history second, so whatever is sent after the connection
 * arrives live and whatever was sent before is in history: nothing falls between the two, and what
 * arrives both ways (sent while the fetch was in flight) appears once, since history keeps the IVS
 * message id the live message carries. In AWS the chat log reaches history about 10 s after a message
 * is sent: messages sent in the last seconds before connecting can be missing from the first fetch, so
 * the page may fetch again after that delay and merge the result: merging is idempotent.
 * A message deleted live (aws:DELETE_MESSAGE) stays out even when a later fetch still returns it.
 */
import { isRecord } from '../../../shared/json.js';
import { isIsoTime, nonEmptyString, stringRecord } from './fields.js';
import type { IncomingMessage } from './view.js';

export interface TimelineMessage {
  /** The IVS message id: the same live and in history. */
  readonly id: string;
  /** An ISO-8601 UTC string (history) or a Date (the messaging SDK). */
  readonly sendTime: string | Date;
}

export interface MergeOptions {
  /** Ids of messages deleted live: never shown, whichever way they come. */
  readonly deleted?: ReadonlySet<string>;
  /** Keep only the newest this many (e.g. the 50 history messages plus what arrives live). */
  readonly max?: number;
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * A text key that sorts as the time does: IVS sends up to nine fractional digits, the SDK's Date
 * keeps three, so both are padded to nine. An unreadable time sorts first rather than breaking the list.
 */
function timeKey(sendTime: string | Date): string {
  const text =
    typeof sendTime === 'string' ? sendTime : Number.isNaN(sendTime.getTime()) ? '' : sendTime.toISOString();
  const match = ISO_UTC.exec(text);
  if (!match) return '';
  const [, seconds = '', fraction = ''] = match;
  return `${seconds}.${fraction.padEnd(9, '0')}`;
}

/**
 * The displayed list (oldest first) with `incoming` merged in: history pages in any order, or one
 * live message. A message already shown keeps its place and object; deleted ids are dropped.
 */
export function mergeMessages<M extends TimelineMessage>(
  shown: readonly M[],
  incoming: readonly M[],
  options: MergeOptions = {},
): M[] {
  const deleted = options.deleted ?? new Set<string>();
  const byId = new Map<string, M>();
  for (const message of [...shown, ...incoming]) {
    if (deleted.has(message.id) || byId.has(message.id)) continue;
    byId.set(message.id, message);
  }
  const keyed = [...byId.values()].map((message) => ({ message, key: timeKey(message.sendTime) }));
  keyed.sort((a, b) =>
    a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : a.message.id < b.message.id
          ? -1
          : a.message.id > b.message.id
            ? 1
            : 0,
  );
  const merged = keyed.map((entry) => entry.message);
  const max = options.max;
  return max !== undefined && max >= 0 && merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** A message on screen, live or from history, with `sendTime` as it came, for ordering. */
export interface ShownMessage extends TimelineMessage {
  readonly message: IncomingMessage;
}

/** The list without a message deleted live (its id also goes into the `deleted` set kept for later merges). */
export function withoutMessage<M extends TimelineMessage>(shown: readonly M[], messageId: string): M[] {
  return shown.filter((message) => message.id !== messageId);
}

/** How many messages the page asks for on connect (the route allows 1–100). */
export const HISTORY_PAGE_SIZE = 50;

/** A message as `GET /v1/rooms/{roomId}/messages` returns it. */
export interface HistoryMessage {
  readonly id: string;
  readonly content: string;
  /** ISO-8601 UTC, up to nine fractional digits. */
  readonly sendTime: string;
  readonly sender: { readonly userId: string; readonly attributes: Readonly<Record<string, string>> };
  readonly attributes: Readonly<Record<string, string>>;
}

export interface HistoryPage {
  readonly messages: readonly HistoryMessage[];
  readonly nextToken: string | undefined;
}

export function parseHistoryMessage(value: unknown): HistoryMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { id, content, sendTime, sender } = value;
  const attributes = stringRecord(value['attributes']);
  if (
    !nonEmptyString(id) ||
    typeof content !== 'string' ||
    !isIsoTime(sendTime) ||
    !isRecord(sender) ||
    typeof sender['userId'] !== 'string' ||
    attributes === undefined
  ) {
    return undefined;
  }
  const senderAttributes = stringRecord(sender['attributes']);
  if (senderAttributes === undefined) return undefined;
  return {
    id,
    content,
    sendTime,
    sender: { userId: sender['userId'], attributes: senderAttributes },
    attributes,
  };
}

/** `{"messages": [...], "nextToken"?}`; a malformed message is skipped, a malformed page is undefined. */
export function parseHistoryPage(value: unknown): HistoryPage | undefined {
  if (!isRecord(value) || !Array.isArray(value['messages'])) return undefined;
  const nextToken = value['nextToken'];
  if (nextToken !== undefined && typeof nextToken !== 'string') return undefined;
  const messages = value['messages']
    .map(parseHistoryMessage)
    .filter((message): message is HistoryMessage => message !== undefined);
  return { messages, nextToken };
}

/**
 * Where each message the list does not show yet goes, given the merged order: before the next message
 * already shown (so history lands above what arrived live), or at the end (`before` undefined).
 * Inserting them in the order returned keeps the merged order; other items (notices) stay put.
 */
export function insertionPoints(
  merged: readonly TimelineMessage[],
  shownIds: ReadonlySet<string>,
): { readonly id: string; readonly before: string | undefined }[] {
  const points: { id: string; before: string | undefined }[] = [];
  let nextShown: string | undefined;
  for (let index = merged.length - 1; index >= 0; index--) {
    const id = merged[index]?.id;
    if (id === undefined) continue;
    if (shownIds.has(id)) nextShown = id;
    else points.push({ id, before: nextShown });
  }
  return points.reverse();
}

/** A history message as the page shows a live one (the fields of the SDK's ChatMessage it reads). */
export function shownFromHistory(message: HistoryMessage): ShownMessage {
  return {
    id: message.id,
    sendTime: message.sendTime,
    message: {
      id: message.id,
      content: message.content,
      sendTime: new Date(message.sendTime),
      sender: message.sender,
    },
  };
}
