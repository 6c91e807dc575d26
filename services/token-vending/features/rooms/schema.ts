/** The rooms API's shapes: what POST, PATCH and the listings take, and a Room as callers see it. */
import * as z from 'zod/mini';
import { PRIVACIES, ROOM_ROLES } from '../../../../shared/access/model.js';
import { FALLBACK_RESULTS, IVS_LIMITS, codePointLength } from '../../../../shared/ivs/limits.js';
import { RESERVED_TAG_PREFIXES } from '../../../../shared/ivs/tags.js';
import {
  body,
  boolean,
  integer,
  maxResults,
  named,
  nextToken,
  oneOf,
  roomId,
  stringMap,
  stringQuery,
  text,
} from '../../platform/fields.js';

/** Two tags are the service's own (the room's privacy and its stack), so callers get two fewer than IVS allows. */
export const MAX_CALLER_TAGS = IVS_LIMITS.tags.maxPerResource - 2;
export const SLOW_MODE_SECONDS = { min: 0, max: 3600 } as const;
export const PIN_TEXT_LENGTH = { min: 1, max: 500 } as const;

const nameError = `name must be at most ${IVS_LIMITS.roomName.max} of the characters a-z A-Z 0-9 - _`;
const roomName = z
  .string({ error: nameError })
  .check(
    z.maxLength(IVS_LIMITS.roomName.max, { error: nameError }),
    z.regex(IVS_LIMITS.roomName.pattern, { error: nameError }),
  );

const limit = (field: 'maximumMessageLength' | 'maximumMessageRatePerSecond') =>
  integer(field, IVS_LIMITS[field].min, IVS_LIMITS[field].max);

const tags = stringMap('tags', { maxEntries: MAX_CALLER_TAGS }).check(
  z.refine(
    (value) =>
      Object.entries(value).every(
        ([key, tag]) =>
          codePointLength(key) >= 1 &&
          codePointLength(key) <= IVS_LIMITS.tags.keyMax &&
          codePointLength(tag) <= IVS_LIMITS.tags.valueMax,
      ),
    `tags keys must be 1 to ${IVS_LIMITS.tags.keyMax} characters and values at most ${IVS_LIMITS.tags.valueMax}`,
  ),
  z.refine(
    (value) =>
      Object.keys(value).every(
        (key) => !RESERVED_TAG_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix)),
      ),
    `tags keys may not start with ${RESERVED_TAG_PREFIXES.join(' or ')}`,
  ),
);

export const CreateRoomBody = named(
  body({
    name: z.optional(roomName),
    privacy: z._default(oneOf('privacy', PRIVACIES), 'public'),
    maximumMessageLength: z.optional(limit('maximumMessageLength')),
    maximumMessageRatePerSecond: z.optional(limit('maximumMessageRatePerSecond')),
    tags: z.optional(tags),
  }),
  'CreateRoom',
);

export const RoomModes = named(
  z.object({
    slowModeSeconds: integer('modes.slowModeSeconds', SLOW_MODE_SECONDS.min, SLOW_MODE_SECONDS.max),
    membersOnlySend: boolean('modes.membersOnlySend'),
    holdForReview: boolean('modes.holdForReview'),
  }),
  'RoomModes',
  'Live-stream modes. slowModeSeconds: a user waits this long between messages (0: off; moderators are exempt). membersOnlySend: only members send (everyone reads). holdForReview: doubtful messages wait for a moderator.',
);

const modesChange = body({
  slowModeSeconds: z.optional(RoomModes.def.shape.slowModeSeconds),
  membersOnlySend: z.optional(RoomModes.def.shape.membersOnlySend),
  holdForReview: z.optional(RoomModes.def.shape.holdForReview),
});

export const UpdateRoomBody = named(
  body({
    name: z.optional(roomName),
    maximumMessageLength: z.optional(limit('maximumMessageLength')),
    maximumMessageRatePerSecond: z.optional(limit('maximumMessageRatePerSecond')),
    // Refused with its own message: privacy is fixed at creation.
    privacy: z.optional(z.never({ error: 'privacy cannot change; create a new room instead' })),
    modes: z.optional(modesChange),
  }),
  'UpdateRoom',
);

export const Pinned = named(
  z.object({
    text: z.string(),
    messageId: z.optional(z.string()),
    by: z.string(),
    at: z.string(),
  }),
  'PinnedMessage',
  "The message pinned above the chat: a moderator's own text, or the text of a message (messageId).",
);

export const Room = named(
  z.object({
    id: z.string(),
    arn: z.string(),
    name: z.string(),
    privacy: z.enum(PRIVACIES),
    createTime: z.string(),
    updateTime: z.string(),
    maximumMessageLength: z.number(),
    maximumMessageRatePerSecond: z.number(),
    messageReviewHandler: z.optional(z.object({ uri: z.string(), fallbackResult: z.enum(FALLBACK_RESULTS) })),
    tags: z.record(z.string(), z.string()),
    modes: RoomModes,
    pinned: z.optional(Pinned),
    myRole: z.nullable(z.enum(ROOM_ROLES)),
  }),
  'Room',
);
export type ApiRoom = z.infer<typeof Room>;

export const RoomList = named(
  z.object({ rooms: z.array(Room), nextToken: z.optional(z.string()) }),
  'RoomList',
);

export const RoomParams = z.strictObject({ roomId });

export const ListRoomsQuery = z.strictObject({
  memberId: stringQuery('memberId'),
  name: z.optional(roomName),
  maxResults,
  nextToken,
});

export const PinBody = named(
  body({
    text: z.optional(text('text', PIN_TEXT_LENGTH.min, PIN_TEXT_LENGTH.max)),
    messageId: z.optional(
      z.string({ error: 'messageId must be the 12-letter-or-digit IVS message id' }).check(
        z.regex(IVS_LIMITS.resourceId.pattern, {
          error: 'messageId must be the 12-letter-or-digit IVS message id',
        }),
      ),
    ),
  }).check(
    z.refine(
      (value) => (value.text === undefined) !== (value.messageId === undefined),
      'send either text or messageId',
    ),
  ),
  'Pin',
);
