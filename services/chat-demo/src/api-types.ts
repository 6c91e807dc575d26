/**
 * The token service's answers as TypeScript types, taken from the schemas its routes are declared
 * with (services/token-vending/features/<feature>/schema.ts), so the page's types cannot drift from
 * the API. Type-only imports: nothing of the service (or zod) reaches the browser bundle. The page
 * still checks every answer at run time (the parsers beside each feature), since a type is no proof
 * of what came over the wire.
 */
import type * as z from 'zod/mini';
import type { LogEntry, ModerationLog, Restriction } from '../../token-vending/features/moderation/schema.js';
import type { Pinned, Room, RoomModes } from '../../token-vending/features/rooms/schema.js';
import type { HeldMessage } from '../../token-vending/features/held/schema.js';

/** A Room as `GET /v1/rooms/{roomId}`, the listings and PATCH answer it. */
export type ApiRoom = z.infer<typeof Room>;
/** `modes` of a Room: slow mode seconds (0: off), members-only sending, held for review. */
export type ApiRoomModes = Readonly<z.infer<typeof RoomModes>>;
/** `pinned` of a Room: the text, the message it came from (if any), who pinned it and when. */
export type ApiPinned = Readonly<z.infer<typeof Pinned>>;
/** One line of `GET /v1/rooms/{roomId}/moderation-log`. */
export type ApiLogEntry = Readonly<z.infer<typeof LogEntry>>;
export type ApiModerationAction = ApiLogEntry['action'];
export type ApiModerationLog = z.infer<typeof ModerationLog>;
/** A ban or a timeout as `GET /v1/rooms/{roomId}/bans|timeouts` lists it. */
export type ApiRestriction = Readonly<z.infer<typeof Restriction>>;
/** One message of `GET /v1/rooms/{roomId}/held`, waiting for a moderator. */
export type ApiHeldMessage = Readonly<z.infer<typeof HeldMessage>>;
