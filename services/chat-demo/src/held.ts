/**
 * Messages held for review, with no DOM: the moderators' queue (`GET /v1/rooms/{roomId}/held`), the
 * approved message announced to everyone (`app:approved-message`), and the sender's own held message
 * waiting for a moderator.
 *
 * The held routes' schema is being written beside the review function's hold (contract version 3);
 * until it is in the service's features, the page writes the shapes of the contract here. Once it is,
 * these types come from it as the others do (api-types.ts).
 */
import { isRecord } from '../../../shared/json.js';
import { isIsoTime, nonEmptyString } from './fields.js';
import type { ShownMessage } from './history.js';
import { formatUntil } from './moderation.js';
import { displayNameOf } from './view.js';

/** One held message, as the queue lists it (oldest first). */
export interface HeldMessage {
  readonly id: string;
  readonly content: string;
  readonly sender: { readonly userId: string; readonly attributes: Readonly<Record<string, string>> };
  readonly heldAt: string;
  /** Why the review function held it (e.g. a listed term, a link). */
  readonly reason: string;
}

export interface HeldPage {
  readonly held: readonly HeldMessage[];
  readonly nextToken: string | undefined;
}

/** Asked for per page: the route takes 1–50 (`maxResults`, as every listing). */
export const HELD_PAGE_SIZE = 20;

export const APPROVED_EVENT = 'app:approved-message';

/**
 * The attribute names of `app:approved-message` (sender id, display name, text, held id). Named once
 * here, so that a change on the service's side is one line on the page's.
 */
export const APPROVED_ATTRIBUTES = {
  senderId: 'userId',
  displayName: 'displayName',
  text: 'text',
  heldId: 'heldId',
} as const;

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isRecord(value)) return undefined;
  const record: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') return undefined;
    Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return record;
}

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
 * An `app:approved-message` event as a message from its original sender; undefined when it lacks the
 * sender or the text. The event's id keys it in the list: history records the approved message in its
 * place, and a later history read then merges with it.
 */
export function approvedMessage(event: {
  readonly id: string;
  readonly sendTime: Date;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}): ApprovedMessage | undefined {
  const attributes = event.attributes ?? {};
  const senderId = attributes[APPROVED_ATTRIBUTES.senderId];
  const text = attributes[APPROVED_ATTRIBUTES.text];
  if (!nonEmptyString(senderId) || text === undefined || !nonEmptyString(event.id)) return undefined;
  const displayName = attributes[APPROVED_ATTRIBUTES.displayName];
  const heldId = attributes[APPROVED_ATTRIBUTES.heldId];
  return {
    id: event.id,
    sendTime: event.sendTime,
    heldId: nonEmptyString(heldId) ? heldId : undefined,
    message: {
      id: event.id,
      content: text,
      sendTime: event.sendTime,
      sender: { userId: senderId, attributes: nonEmptyString(displayName) ? { displayName } : {} },
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
