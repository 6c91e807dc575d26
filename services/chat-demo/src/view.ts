/**
 * Pure helpers behind the page: what to show for a message, an event, an error or the length
 * counter. No DOM here, so they are unit-tested in Node; the page's modules (message-list.ts,
 * composer.ts, …) turn their results into elements with textContent only.
 */
import { codePointLength, type ChatTokenCapability } from '../../../shared/ivs/limits.js';

export interface CounterState {
  readonly used: number;
  readonly remaining: number;
  readonly over: boolean;
  /** Visible text, e.g. "12 / 500". */
  readonly label: string;
}

/** IVS counts maximumMessageLength in Unicode code points, not UTF-16 units (IVS Chat API reference and service quotas). */
export function counterState(text: string, maximumMessageLength: number): CounterState {
  const used = codePointLength(text);
  const remaining = maximumMessageLength - used;
  return { used, remaining, over: remaining < 0, label: `${used} / ${maximumMessageLength}` };
}

/** Whether the send button may submit: something other than blanks, within the room's limit. */
export function canSend(text: string, maximumMessageLength: number): boolean {
  return text.trim().length > 0 && !counterState(text, maximumMessageLength).over;
}

interface Sender {
  readonly userId: string;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}

/** The sender's display name from its token attributes (set by the token service), else the user id. */
export function displayNameOf(sender: Sender): string {
  const name = sender.attributes?.['displayName']?.trim();
  return name !== undefined && name !== '' ? name : sender.userId;
}

/**
 * Whether the message box is shown (else the note that this token only reads). A timed-out user
 * keeps the box: the banner says until when, and a send once it is over gets a new token.
 */
export function showsComposer(capabilities: readonly ChatTokenCapability[], timedOut: boolean): boolean {
  return capabilities.includes('SEND_MESSAGE') || timedOut;
}

/** What the server's token allows, in words (the server decides; the page only reflects it). */
export function describeCapabilities(capabilities: readonly ChatTokenCapability[]): string {
  const abilities = ['read'];
  if (capabilities.includes('SEND_MESSAGE')) abilities.push('send');
  if (capabilities.includes('DELETE_MESSAGE')) abilities.push('delete messages');
  if (capabilities.includes('DISCONNECT_USER')) abilities.push('disconnect users');
  const last = abilities.pop() ?? 'read';
  return abilities.length === 0 ? `can ${last}` : `can ${abilities.join(', ')} and ${last}`;
}

export interface MessageView {
  readonly id: string;
  readonly senderId: string;
  readonly senderName: string;
  readonly senderRole: string | undefined;
  readonly text: string;
  readonly sentAt: Date;
  readonly own: boolean;
  readonly canDelete: boolean;
  /** Moderators may disconnect others; disconnecting oneself is never offered. */
  readonly canDisconnect: boolean;
}

export interface IncomingMessage {
  readonly id: string;
  readonly content: string;
  readonly sendTime: Date;
  readonly sender: Sender;
}

export function messageView(
  message: IncomingMessage,
  selfUserId: string | undefined,
  capabilities: readonly ChatTokenCapability[],
): MessageView {
  const own = message.sender.userId === selfUserId;
  const role = message.sender.attributes?.['role'];
  return {
    id: message.id,
    senderId: message.sender.userId,
    senderName: displayNameOf(message.sender),
    senderRole: role === undefined || role === '' ? undefined : role,
    // Shown exactly as delivered: when review masked it, the room delivered the masked text.
    text: message.content,
    sentAt: message.sendTime,
    own,
    canDelete: capabilities.includes('DELETE_MESSAGE'),
    canDisconnect: !own && capabilities.includes('DISCONNECT_USER'),
  };
}

export interface IncomingEvent {
  readonly eventName: string;
  readonly attributes?: Readonly<Record<string, string>> | undefined;
}

/** An application event (SendEvent) as one line: its name and its attributes as `key: value`. */
export function eventSummary(event: IncomingEvent): { readonly name: string; readonly details: string } {
  const details = Object.entries(event.attributes ?? {})
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
  return { name: event.eventName, details };
}

/** The notice when a message is deleted (by a moderator), naming its author. */
export function deletionNotice(author: string, reason: string | undefined): string {
  return `A message from ${author} was deleted${reason ? `: ${reason}` : ''}.`;
}

/** The notice title when a user is disconnected: `You` for the reader, else their display name. */
export function disconnectNoticeTitle(
  userId: string,
  selfUserId: string | undefined,
  names: ReadonlyMap<string, string>,
): string {
  if (userId === selfUserId) return 'You were disconnected';
  return `${names.get(userId) ?? 'A user'} was disconnected`;
}

/** Two-digit local time of day, e.g. "14:05". */
export function timeOfDay(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** A ChatError as the SDK rejects with (a plain object, not an Error). */
export interface ChatErrorLike {
  readonly errorCode: number;
  readonly errorMessage: string;
}

export function isChatError(value: unknown): value is ChatErrorLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    'errorCode' in value &&
    typeof value.errorCode === 'number' &&
    'errorMessage' in value &&
    typeof value.errorMessage === 'string'
  );
}

export type FeedbackKind = 'denied' | 'rate-limited' | 'error';

export interface Feedback {
  readonly kind: FeedbackKind;
  readonly text: string;
}

/**
 * What to tell the sender when a request is refused. Codes from IVS Chat Messaging API reference: 406 rejected by
 * message review (the message carries the review handler's reason), 429 rate limit, 403 capability
 * missing, 413 field too large, 400 bad request, 401 expired (the SDK reconnects by itself).
 */
export function describeRequestError(error: unknown): Feedback {
  if (isChatError(error)) {
    switch (error.errorCode) {
      case 406:
        return { kind: 'denied', text: `Not sent: ${error.errorMessage || 'refused by message review'}` };
      case 429:
        return { kind: 'rate-limited', text: 'You are sending too fast. Wait a second, then try again.' };
      case 403:
        return { kind: 'error', text: 'Your chat token does not allow this.' };
      case 413:
        return { kind: 'error', text: 'Too long for this room.' };
      case 401:
        return { kind: 'error', text: 'The chat session expired. Reconnecting…' };
      case 404:
        return { kind: 'error', text: 'The chat room no longer exists.' };
      default:
        return {
          kind: 'error',
          text: `Refused (${error.errorCode}): ${error.errorMessage || 'no reason given'}`,
        };
    }
  }
  // The SDK throws a plain Error synchronously when the room is not connected.
  if (error instanceof Error && /not connected/i.test(error.message)) {
    return { kind: 'error', text: 'Not connected to the chat room.' };
  }
  return { kind: 'error', text: 'Something went wrong. Try again.' };
}

export type DisconnectReasonLike =
  'clientDisconnect' | 'serverDisconnect' | 'socketError' | 'fetchTokenError';

/** The connection status line after the SDK reports `disconnect(reason)`. */
export function describeDisconnect(reason: DisconnectReasonLike, tokenError?: string): string {
  switch (reason) {
    case 'clientDisconnect':
      return 'Disconnected';
    case 'serverDisconnect':
      return 'Disconnected by the chat server';
    case 'socketError':
      return 'Could not connect to the chat server';
    case 'fetchTokenError':
      return tokenError === undefined
        ? 'Could not get a chat token'
        : `Could not get a chat token: ${tokenError}`;
  }
}

/**
 * A user id for the dev login: the name's letters plus a random suffix, so two people who both type
 * "Ann" stay two users (a DisconnectUser ends every connection of one userId). 1–128 chars (CreateChatToken API reference).
 */
export function devUserId(displayName: string, random: Uint8Array): string {
  const slug =
    displayName
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'user';
  const suffix = Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${slug}-${suffix}`;
}

/** Display names are token attributes (1 KB in total with the role, CreateChatToken API reference): keep them short. */
export const DISPLAY_NAME_MAX = 64;

export function validateDisplayName(raw: string): { ok: true; name: string } | { ok: false; text: string } {
  const name = raw.trim();
  if (name === '') return { ok: false, text: 'Enter a name.' };
  if (codePointLength(name) > DISPLAY_NAME_MAX) {
    return { ok: false, text: `Use at most ${DISPLAY_NAME_MAX} characters.` };
  }
  return { ok: true, name };
}
