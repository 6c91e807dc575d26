/**
 * The pinned message, with no DOM: reading it from the room (GET, config.json) and from the events
 * that announce it (`app:pin`, `app:unpin`), and the line shown above the chat.
 */
import { codePointLength } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';
import type { ApiPinned } from './api-types.js';
import { isIsoTime, nonEmptyString } from './fields.js';
import { formatUntil } from './moderation.js';

export type Pinned = ApiPinned;

export const PIN_EVENT = 'app:pin';
export const UNPIN_EVENT = 'app:unpin';

/** A moderator's own pinned text: 1 to 500 characters (contract version 3, `PUT …/pin`). */
export const PIN_TEXT_MAX = 500;

/** A Room's `pinned`; undefined when it is malformed (the page then shows no pin rather than a wrong one). */
export function parsePinned(value: unknown): Pinned | undefined {
  if (!isRecord(value)) return undefined;
  const { text, messageId, by, at } = value;
  if (
    typeof text !== 'string' ||
    typeof by !== 'string' ||
    !isIsoTime(at) ||
    (messageId !== undefined && !nonEmptyString(messageId))
  ) {
    return undefined;
  }
  return { text, by, at, ...(messageId === undefined ? {} : { messageId }) };
}

/**
 * What an `app:pin` event says: the pin itself, or that the room must be read again (the service
 * leaves `text` out when the attributes would pass IVS's 1 KB); undefined when it is malformed.
 */
export function pinFromEvent(
  attributes: Readonly<Record<string, string>> | undefined,
): { readonly pinned: Pinned } | { readonly reread: true } | undefined {
  if (attributes === undefined) return undefined;
  const { text, messageId, by, at } = attributes;
  if (by === undefined || !isIsoTime(at)) return undefined;
  if (text === undefined) return { reread: true };
  return { pinned: { text, by, at, ...(nonEmptyString(messageId) ? { messageId } : {}) } };
}

/** The pin bar's lines: the text as pinned, and "Pinned by Mia at 14:05". */
export function pinnedView(
  pinned: Pinned,
  names: ReadonlyMap<string, string>,
  selfUserId: string | undefined,
  now: Date,
): { readonly text: string; readonly detail: string } {
  const who = pinned.by === selfUserId ? 'you' : (names.get(pinned.by) ?? pinned.by);
  return { text: pinned.text, detail: `Pinned by ${who} at ${formatUntil(new Date(pinned.at), now)}` };
}

/** A text to pin: 1 to 500 characters after trimming. */
export function validatePinText(raw: string): { ok: true; text: string } | { ok: false; text: string } {
  const text = raw.trim();
  if (text === '') return { ok: false, text: 'Enter a text to pin.' };
  if (codePointLength(text) > PIN_TEXT_MAX) {
    return { ok: false, text: `A pinned text is at most ${PIN_TEXT_MAX} characters.` };
  }
  return { ok: true, text };
}
