/**
 * Tags the service puts on the IVS rooms it creates. Callers cannot set or see them.
 * - PRIVACY_TAG holds the room's privacy. It tells a room made through the API whose record is missing
 *   (a creation that failed half-way and is being undone) from a room made elsewhere, so the former is
 *   never shown as public, and the sweep can find and finish such rooms.
 * - STACK_TAG names the deployment that manages the room (ROOM_STACK_TAG; in AWS the stack's name). The
 *   template grants the functions IVS actions only on rooms carrying it (aws:ResourceTag), and CreateRoom
 *   only with it (aws:RequestTag): see docs/deploy.md.
 */
export const PRIVACY_TAG = 'ivs-chat-backend:privacy';
export const STACK_TAG = 'ivs-chat-backend:stack';
/** Tag keys callers may not use: the service's own, and AWS's. */
export const RESERVED_TAG_PREFIXES = ['ivs-chat-backend:', 'aws:'] as const;
