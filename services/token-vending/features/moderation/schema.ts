/** The moderation API's shapes: bans, timeouts, deleting messages, events, the moderation log. */
import * as z from 'zod/mini';
import { IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import {
  body,
  integer,
  maxResults,
  messageId,
  named,
  nextToken,
  reason,
  roomId,
  stringMap,
  text,
  userPath,
} from '../../platform/fields.js';
import { MODERATION_ACTIONS } from './log-store.js';

/** Ban lengths: up to a year (525,600 minutes); timeouts up to a week (10,080). */
export const BAN_MINUTES = { min: 1, max: 525_600 } as const;
export const TIMEOUT_MINUTES = { min: 1, max: 10_080 } as const;

export const TargetParams = z.strictObject({ roomId, userId: userPath });
export const MessageParams = z.strictObject({ roomId, messageId });
export const PageQuery = z.strictObject({ maxResults, nextToken });

export const BanBody = named(
  body({
    reason: z.optional(reason),
    durationMinutes: z.optional(integer('durationMinutes', BAN_MINUTES.min, BAN_MINUTES.max)),
  }),
  'Ban',
);
export const TimeoutBody = named(
  body({
    durationMinutes: integer('durationMinutes', TIMEOUT_MINUTES.min, TIMEOUT_MINUTES.max),
    reason: z.optional(reason),
  }),
  'Timeout',
);
export const DeleteMessageBody = body({ reason: z.optional(reason) });

const eventNameError = `eventName must be ${IVS_LIMITS.eventNameLength.min} to ${IVS_LIMITS.eventNameLength.max} characters, not starting with aws: or app:`;
export const EventBody = named(
  body({
    eventName: text('eventName', IVS_LIMITS.eventNameLength.min, IVS_LIMITS.eventNameLength.max).check(
      // aws: is IVS's own; app: is this service's (pins, modes, approved messages): a moderator's
      // event must not pass for one of them.
      z.refine((value) => !value.startsWith('aws:') && !value.startsWith('app:'), eventNameError),
    ),
    attributes: z.optional(stringMap('attributes', { maxBytes: IVS_LIMITS.attributesMaxBytes })),
  }),
  'Event',
);

export const Restriction = named(
  z.object({
    userId: z.string(),
    reason: z.optional(z.string()),
    until: z.optional(z.string()),
    by: z.string(),
    since: z.string(),
  }),
  'Restriction',
  'A ban or a timeout. `until` absent: a permanent ban.',
);
export const BanList = named(
  z.object({ bans: z.array(Restriction), nextToken: z.optional(z.string()) }),
  'BanList',
);
export const TimeoutList = named(
  z.object({ timeouts: z.array(Restriction), nextToken: z.optional(z.string()) }),
  'TimeoutList',
);
export const SentEvent = named(z.object({ id: z.nullable(z.string()) }), 'SentEvent');

export const LogEntry = named(
  z.object({
    time: z.string(),
    action: z.enum(MODERATION_ACTIONS),
    by: z.string(),
    target: z.optional(z.string()),
    reason: z.optional(z.string()),
    until: z.optional(z.string()),
    messageId: z.optional(z.string()),
    eventName: z.optional(z.string()),
    heldId: z.optional(z.string()),
  }),
  'ModerationLogEntry',
);
export const ModerationLog = named(
  z.object({ entries: z.array(LogEntry), nextToken: z.optional(z.string()) }),
  'ModerationLog',
);
