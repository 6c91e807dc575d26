/**
 * The frames the server sends, exactly as amazon-ivs-chat-messaging parses them
 * (IVS Chat Messaging API reference): every frame has a fresh 12-character `Id` (the SDK drops an Id it has seen,
 * and cannot route an ERROR without one), `SendTime` is an ISO string, attribute values are strings.
 */
import { newResourceId } from '../../shared/ivs/arn.js';

export interface ChatSender {
  readonly UserId: string;
  readonly Attributes: Readonly<Record<string, string>>;
}

export interface MessageFrame {
  readonly Type: 'MESSAGE';
  readonly Id: string;
  readonly RequestId: string;
  readonly Content: string;
  readonly Attributes: Readonly<Record<string, string>> | null;
  readonly SendTime: string;
  readonly Sender: ChatSender;
}

export interface EventFrame {
  readonly Type: 'EVENT';
  readonly Id: string;
  readonly RequestId: string;
  readonly EventName: string;
  readonly SendTime: string;
  readonly Attributes: Readonly<Record<string, string>>;
}

export interface ErrorFrame {
  readonly Type: 'ERROR';
  readonly Id: string;
  readonly RequestId: string;
  readonly ErrorCode: number;
  readonly ErrorMessage: string;
}

export type ServerFrame = MessageFrame | EventFrame | ErrorFrame;

/** The WebSocket ERROR codes of the messaging API. */
export const CHAT_ERROR = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  rejectedByReview: 406,
  tooLarge: 413,
  rateLimited: 429,
  internal: 500,
} as const;

export function errorFrame(requestId: string, code: number, message: string): ErrorFrame {
  return { Type: 'ERROR', Id: newResourceId(), RequestId: requestId, ErrorCode: code, ErrorMessage: message };
}

export function eventFrame(
  requestId: string,
  eventName: string,
  attributes: Readonly<Record<string, string>>,
  now: Date,
): EventFrame {
  return {
    Type: 'EVENT',
    Id: newResourceId(),
    RequestId: requestId,
    EventName: eventName,
    SendTime: sendTime(now),
    Attributes: attributes,
  };
}

/**
 * `aws:DELETE_MESSAGE` carries the deleted message's id under `MessageId` and under the deprecated
 * `MessageID`, which SDK 1.1.1 reads (IVS Chat Messaging API reference). The event has its own fresh Id.
 */
export function deleteMessageAttributes(
  messageId: string,
  reason: string | undefined,
): Record<string, string> {
  return { MessageId: messageId, MessageID: messageId, ...(reason === undefined ? {} : { Reason: reason }) };
}

export function disconnectUserAttributes(userId: string, reason: string | undefined): Record<string, string> {
  return { UserId: userId, ...(reason === undefined ? {} : { Reason: reason }) };
}

let lastSendNanos = 0n;

/**
 * A frame's `SendTime` as IVS writes it: ISO-8601 with nine fractional digits (chat logs and frames
 * carry nanoseconds). Within one emulator, strictly increasing, so frames sent in the same
 * millisecond keep their order wherever they are sorted by time (history, for one).
 */
export function sendTime(now: Date): string {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastSendNanos) nanos = lastSendNanos + 1n;
  lastSendNanos = nanos;
  const millis = new Date(Number(nanos / 1_000_000n)).toISOString();
  return `${millis.slice(0, -1)}${(nanos % 1_000_000n).toString().padStart(6, '0')}Z`;
}
