/**
 * Messages held for review, with no DOM: the moderators' queue (`GET /v1/rooms/{roomId}/held`), the
 * approved message announced to everyone (`app:approved-message`), and the sender's own held message
 * waiting for a moderator. The queue's type is the service's schema (api-types.ts); the event's
 * attributes are read by shared/review/approved-message.ts, the module the token service writes them
 * with and the chat-history function reads them with, so the three agree.
 */
import { isRecord } from '../../../shared/json.js';
import { APPROVED_MESSAGE_EVENT, parseApprovedMessage } from '../../../shared/review/approved-message.js';
import type { ApiHeldMessage } from './api-types.js';
import { isIsoTime, nonEmptyString, stringRecord } from './fields.js';
import type { ShownMessage } from './history.js';
import { formatUntil } from './moderation.js';
import { displayNameOf } from './view.js';

/** One held message, as the queue lists it (oldest first); `reason` says why the review held it. */
export type HeldMessage = ApiHeldMessage;

export interface HeldPage {
  readonly held: readonly HeldMessage[];
  readonly nextToken: string | undefined;
}

/** Asked for per page: the route takes 1–50 (`maxResults`, as every listing). */
export const HELD_PAGE_SIZE = 20;

export const APPROVED_EVENT = APPROVED_MESSAGE_EVENT;

export function parseHeldMessage(value: unknown): HeldMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { id, content, sender, heldAt, reason } = value;
  if (
    !nonEmptyString(id) ||
    typeof content !== 'string' ||
    !isRecord(sender) ||
    !nonEmptyString(sender['userId']) ||
    !isIsoTime(heldAt) ||
    typeof reason !== 'string'
  ) {
    return undefined;
  }
  const attributes = stringRecord(sender['attributes']);
  if (attributes === undefined) return undefined;
  return { id, content, sender: { userId: sender['userId'], attributes }, heldAt, reason };
}

/** `{"held": [...], "nextToken"?}`; undefined if the shape or any entry is not as expected. */
export function parseHeldPage(value: unknown): HeldPage | undefined {
  if (!isRecord(value) || !Array.isArray(value['held'])) return undefined;
  const held: HeldMessage[] = [];
  for (const item of value['held']) {
    const message = parseHeldMessage(item);
    if (message === undefined) return undefined;
    held.push(message);
  }
  const nextToken = value['nextToken'];
  if (nextToken !== undefined && typeof nextToken !== 'string') return undefined;
  return { held, nextToken };
}

/** One entry of the queue: who, when, why, and the text. */
export function heldView(
  held: HeldMessage,
  now: Date,
): { readonly who: string; readonly detail: string; readonly text: string } {
  const when = `held at ${formatUntil(new Date(held.heldAt), now)}`;
  return {
    who: displayNameOf(held.sender),
    detail: held.reason === '' ? when : `${when} · ${held.reason}`,
    text: held.content,
  };
}

/** An approved message as the message list shows one: the event's id and time, the sender's name. */
export interface ApprovedMessage extends ShownMessage {
  readonly heldId: string | undefined;
}

/**
 * An `app:approved-message` event as a message from its original sender; undefined when its
 * attributes are not an approved message's. The event's id keys it in the list: the chat-history
 * function records the approved message under that id, so a later history read merges with it.
 */
export function approvedMessage(event: {
  readonly id: string;
  readonly sendTime: Date;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}): ApprovedMessage | undefined {
  const approved = parseApprovedMessage(event.attributes);
  if (approved === undefined || !nonEmptyString(event.id)) return undefined;
  return {
    id: event.id,
    sendTime: event.sendTime,
    heldId: approved.heldId,
    message: {
      id: event.id,
      content: approved.text,
      sendTime: event.sendTime,
      sender: { userId: approved.sender.userId, attributes: { ...approved.sender.attributes } },
    },
  };
}

/** The sender's own held message, shown in their list until a moderator approves it. */
export interface PendingHeld {
  readonly text: string;
  /** The held id, when the refusal named it. */
  readonly heldId: string | undefined;
}

const HELD_ID_IN_REASON = /\bheld id:? ?([A-Za-z0-9_-]{4,64})\b/i;

/** The held id in the review function's refusal, when it names one ("… (held id abc123)"). */
export function heldIdFromRefusal(message: string): string | undefined {
  return HELD_ID_IN_REASON.exec(message)?.[1];
}

/**
 * The sender's pending message an approved one replaces: by held id when both have it, else the
 * sender's oldest pending message with the same text.
 */
export function pendingFor(
  pending: readonly PendingHeld[],
  approved: ApprovedMessage,
  selfUserId: string | undefined,
): PendingHeld | undefined {
  if (approved.message.sender.userId !== selfUserId) return undefined;
  if (approved.heldId !== undefined) {
    const byId = pending.find((entry) => entry.heldId === approved.heldId);
    if (byId !== undefined) return byId;
  }
  return pending.find((entry) => entry.heldId === undefined && entry.text === approved.message.content);
}

/** What the sender reads in place of the feedback line when their message is held. */
export const HELD_FEEDBACK =
  'Your message is waiting for a moderator. It appears for everyone once approved.';
