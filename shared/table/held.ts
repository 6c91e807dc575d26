/**
 * The item of one held message, written by the review function when it holds a message and read and
 * decided by the token service (GET .../held, approve, reject), so both agree on its attributes.
 *
 * Item: pk `ROOM#<roomId>`, sk `HELD#<heldId>`, gsi1pk `HELD#<roomId>`, gsi1sk `<heldAt>#<heldId>`
 * (the room's queue, oldest first), and `kind`, `id`, `roomId`, `content` (as it would be delivered:
 * masked where the rules mask), `sender {userId, attributes}` (from the chat token: trusted),
 * `messageId` (the IVS id of the refused send), `reason` (why it was held, for the moderator),
 * `heldAt`, `ttl` (HELD_MESSAGE_HOURS after). A decision takes the item out of the queue (the gsi1
 * keys go) and marks it `decision`, `decidedBy`, `decidedAt` until it expires, so a second decision
 * is told who made the first.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '../json.js';
import { HELD_ID } from '../review/approved-message.js';
import { keys, timeOrderKey } from './keys.js';

export { HELD_ID } from '../review/approved-message.js';

/**
 * HELD_MESSAGE_HOURS: how long a held message waits for a decision, read by the review function (the
 * item's ttl) and the token service (expired messages are neither listed nor decided).
 */
export const HELD_MESSAGE_HOURS = { min: 1, max: 720, default: 24 } as const;

export const HELD_DECISIONS = ['approved', 'rejected'] as const;
export type HeldDecision = (typeof HELD_DECISIONS)[number];

export interface HeldMessage {
  readonly id: string;
  readonly roomId: string;
  readonly content: string;
  readonly sender: { readonly userId: string; readonly attributes: Readonly<Record<string, string>> };
  /** The IVS id of the send the review refused. */
  readonly messageId: string;
  readonly reason: string;
  /** ISO-8601 UTC, milliseconds. */
  readonly heldAt: string;
  /** Epoch seconds after which the item is expired (DynamoDB TTL; readers check it too). */
  readonly ttl: number;
}

export interface HeldRecord extends HeldMessage {
  readonly decision: HeldDecision | undefined;
  readonly decidedBy: string | undefined;
  readonly decidedAt: string | undefined;
}

export function newHeldId(): string {
  return randomBytes(12).toString('base64url');
}

/** gsi1 sort key of a held message: its place in the room's queue. */
export function heldOrderKey(heldAt: string, heldId: string): string {
  return timeOrderKey(heldAt, heldId);
}

const HELD_ORDER_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{16}$/;

/** Whether `text` is a held message's place in the queue (a page cursor). */
export function isHeldOrderKey(text: string): boolean {
  return HELD_ORDER_KEY.test(text);
}

/** The item as plain values (strings, numbers, maps of strings). */
export function heldItem(held: HeldMessage): Record<string, unknown> {
  return {
    ...keys.heldMessage(held.roomId, held.id),
    gsi1pk: keys.heldQueue(held.roomId),
    gsi1sk: heldOrderKey(held.heldAt, held.id),
    kind: 'held',
    id: held.id,
    roomId: held.roomId,
    content: held.content,
    sender: { userId: held.sender.userId, attributes: { ...held.sender.attributes } },
    messageId: held.messageId,
    reason: held.reason,
    heldAt: held.heldAt,
    ttl: held.ttl,
  };
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return undefined;
    map[key] = entry;
  }
  return map;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** A stored item back into a held message; undefined for an item that is not a well-formed one. */
export function parseHeldItem(item: unknown): HeldRecord | undefined {
  if (!isRecord(item) || !isRecord(item.sender)) return undefined;
  const { id, roomId, content, messageId, reason, heldAt, ttl } = item;
  const userId = item.sender.userId;
  const attributes = stringMap(item.sender.attributes ?? {});
  if (typeof id !== 'string' || !HELD_ID.test(id)) return undefined;
  if (typeof roomId !== 'string' || typeof content !== 'string' || typeof heldAt !== 'string')
    return undefined;
  if (typeof userId !== 'string' || attributes === undefined) return undefined;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl)) return undefined;
  return {
    id,
    roomId,
    content,
    sender: { userId, attributes },
    messageId: optionalString(messageId) ?? '',
    reason: optionalString(reason) ?? '',
    heldAt,
    ttl,
    decision: HELD_DECISIONS.find((value) => value === item.decision),
    decidedBy: optionalString(item.decidedBy),
    decidedAt: optionalString(item.decidedAt),
  };
}

/** Whether a held message has expired at `nowMs` (DynamoDB deletes expired items only lazily). */
export function heldExpired(held: Pick<HeldMessage, 'ttl'>, nowMs: number): boolean {
  return held.ttl * 1000 <= nowMs;
}
