/**
 * Tags the service puts on the IVS rooms it creates. Callers cannot set or see them.
 * - PRIVACY_TAG holds the room's privacy. It tells a room made through the API whose record is missing
 *   (a creation that failed half-way and is being undone) from a room made elsewhere, so the former is
 *   never shown as public, and the sweep can find and finish such rooms.
 */
export const PRIVACY_TAG = 'ivs-chat-backend:privacy';
/** Tag keys callers may not use: the service's own, and AWS's. */
export const RESERVED_TAG_PREFIXES = ['ivs-chat-backend:', 'aws:'] as const;
