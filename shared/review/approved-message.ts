/**
 * A held message a moderator approved reaches the room as the event `app:approved-message` (SendEvent:
 * a message cannot be sent on someone else's behalf). Its attributes carry what a client needs to show
 * it as that sender's message: `heldId`, `userId`, `displayName`, `text`, and `senderAttributes` (the
 * sender's token attributes as JSON). The token service builds them, the chat-history function reads
 * them back from the chat log to record the message, and the review function asks, before it holds a
 * message, whether it could ever be delivered this way: one module, so the three agree.
 *
 * SendEvent's attributes are at most 1 KB in all (IVS Chat API reference, SendEvent), and a message may
 * have 500 code points of up to 4 bytes each: what does not fit is left out, least needed first
 * (`senderAttributes`, then `displayName`). The text is never cut: a message whose text, id and
 * sender id alone exceed 1 KB cannot be delivered as an approved message at all, and the review
 * function refuses it outright instead of holding it.
 */
import { attributesByteSize, IVS_LIMITS } from '../ivs/limits.js';
import { isRecord } from '../json.js';

export const APPROVED_MESSAGE_EVENT = 'app:approved-message';

/** Held message ids: 12 random bytes, base64url (never a '#': ids end table keys). */
export const HELD_ID = /^[A-Za-z0-9_-]{16}$/;
export const HELD_ID_LENGTH = 16;

export interface ApprovedMessage {
  readonly heldId: string;
  readonly sender: { readonly userId: string; readonly attributes: Readonly<Record<string, string>> };
  readonly text: string;
}

/** The event's attributes, or undefined when even the text, held id and sender id exceed 1 KB. */
export function approvedMessageAttributes(message: ApprovedMessage): Record<string, string> | undefined {
  const { displayName } = message.sender.attributes;
  const minimal: Record<string, string> = {
    heldId: message.heldId,
    userId: message.sender.userId,
    text: message.text,
  };
  const candidates: Record<string, string>[] = [
    {
      ...minimal,
      ...(displayName === undefined ? {} : { displayName }),
      senderAttributes: JSON.stringify(message.sender.attributes),
    },
    { ...minimal, ...(displayName === undefined ? {} : { displayName }) },
    minimal,
  ];
  return candidates.find((attributes) => attributesByteSize(attributes) <= IVS_LIMITS.attributesMaxBytes);
}

/** Whether a message of this sender and text could be delivered as an approved message. */
export function fitsApprovedMessage(sender: ApprovedMessage['sender'], text: string): boolean {
  return approvedMessageAttributes({ heldId: 'x'.repeat(HELD_ID_LENGTH), sender, text }) !== undefined;
}

function stringMap(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') return undefined;
    map[key] = value;
  }
  return map;
}

/**
 * The approved message in an event's attributes (`unknown`, from the chat log), or undefined when they
 * are not an approved message's. The sender's attributes are `senderAttributes` when it was sent,
 * else what is left of them (`displayName`).
 */
export function parseApprovedMessage(attributes: unknown): ApprovedMessage | undefined {
  if (!isRecord(attributes)) return undefined;
  const { heldId, userId, text, displayName, senderAttributes } = attributes;
  if (typeof heldId !== 'string' || !HELD_ID.test(heldId)) return undefined;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > IVS_LIMITS.userIdLength.max)
    return undefined;
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const named = typeof displayName === 'string' ? { displayName } : {};
  const full = stringMap(typeof senderAttributes === 'string' ? senderAttributes : undefined);
  return { heldId, sender: { userId, attributes: full ?? named }, text };
}
