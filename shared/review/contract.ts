/**
 * The IVS Chat message review handler contract (IVS Chat User Guide, chat message review handler): the event IVS sends for every
 * SendMessage in a room with a messageReviewHandler, and the answer it accepts. Shared by the review
 * Lambda (which answers) and the local emulator (which invokes it and judges the answer as IVS does).
 */
import { codePointLength, FALLBACK_RESULTS, IVS_LIMITS, type FallbackResult } from '../ivs/limits.js';
import { parseRoomArn } from '../ivs/arn.js';
import { isRecord } from '../json.js';

export type ReviewResult = FallbackResult;
export const REVIEW_RESULTS = FALLBACK_RESULTS;

export interface ReviewSender {
  /** From CreateChatToken, i.e. from our token service: trusted. */
  readonly UserId: string;
  /** From CreateChatToken: trusted. */
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Ip: string;
}

export interface ReviewEvent {
  readonly Content: string;
  readonly MessageId: string;
  readonly RoomArn: string;
  /** Set by the sending client: untrusted. */
  readonly Attributes: Readonly<Record<string, string>>;
  readonly Sender: ReviewSender;
}

export interface ReviewAnswer {
  readonly ReviewResult: ReviewResult;
  readonly Content?: string;
  readonly Attributes?: Readonly<Record<string, string>>;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** A string→string map; absent or null reads as empty (IVS sends `Attributes` only when set). */
export function parseStringMap(value: unknown, field: string): Parsed<Record<string, string>> {
  if (value === undefined || value === null) return { ok: true, value: {} };
  if (!isRecord(value)) return { ok: false, problem: `${field} must be an object of strings` };
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return { ok: false, problem: `${field}.${key} must be a string` };
    map[key] = entry;
  }
  return { ok: true, value: map };
}

/** Validates an `unknown` invocation payload into a typed ReviewEvent. */
export function parseReviewEvent(input: unknown): Parsed<ReviewEvent> {
  if (!isRecord(input)) return { ok: false, problem: 'event must be an object' };
  const { Content, MessageId, RoomArn, Sender } = input;
  if (typeof Content !== 'string') return { ok: false, problem: 'Content must be a string' };
  if (typeof MessageId !== 'string' || MessageId.length === 0) {
    return { ok: false, problem: 'MessageId must be a non-empty string' };
  }
  if (!parseRoomArn(RoomArn)) return { ok: false, problem: 'RoomArn must be an IVS Chat room ARN' };
  const attributes = parseStringMap(input.Attributes, 'Attributes');
  if (!attributes.ok) return attributes;
  if (!isRecord(Sender)) return { ok: false, problem: 'Sender must be an object' };
  if (typeof Sender.UserId !== 'string') return { ok: false, problem: 'Sender.UserId must be a string' };
  const senderAttributes = parseStringMap(Sender.Attributes, 'Sender.Attributes');
  if (!senderAttributes.ok) return senderAttributes;
  const ip = typeof Sender.Ip === 'string' ? Sender.Ip : '';
  return {
    ok: true,
    value: {
      Content,
      MessageId,
      RoomArn: String(RoomArn),
      Attributes: attributes.value,
      Sender: { UserId: Sender.UserId, Attributes: senderAttributes.value, Ip: ip },
    },
  };
}

/**
 * Judges a handler's answer as IVS would. The exact constraints on returned Content and Attributes
 * are unconfirmed (IVS Chat User Guide, chat message review handler); this takes the safe reading: ALLOW carries a non-empty
 * Content within the room's maximumMessageLength in code points, attributes are strings within 1 KB.
 */
export function parseReviewAnswer(
  input: unknown,
  maximumMessageLength: number = IVS_LIMITS.maximumMessageLength.default,
): Parsed<ReviewAnswer> {
  if (!isRecord(input)) return { ok: false, problem: 'answer must be an object' };
  const result = REVIEW_RESULTS.find((candidate) => candidate === input.ReviewResult);
  if (!result) return { ok: false, problem: 'ReviewResult must be ALLOW or DENY' };
  const attributes = parseStringMap(input.Attributes, 'Attributes');
  if (!attributes.ok) return attributes;
  let size = 0;
  for (const [key, value] of Object.entries(attributes.value)) {
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > IVS_LIMITS.attributesMaxBytes) return { ok: false, problem: 'Attributes exceed 1 KB' };
  if (result === 'DENY') return { ok: true, value: { ReviewResult: 'DENY', Attributes: attributes.value } };
  const content = input.Content;
  if (typeof content !== 'string' || content.length === 0) {
    return { ok: false, problem: 'ALLOW must carry a non-empty Content' };
  }
  if (codePointLength(content) > maximumMessageLength) {
    return { ok: false, problem: `Content exceeds ${maximumMessageLength} code points` };
  }
  return { ok: true, value: { ReviewResult: 'ALLOW', Content: content, Attributes: attributes.value } };
}
