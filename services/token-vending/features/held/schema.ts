/** The held-message API's shapes: the room's queue, and a moderator's decision on one message. */
import * as z from 'zod/mini';
import { HELD_ID } from '../../../../shared/table/held.js';
import { body, described, maxResults, named, nextToken, reason, roomId } from '../../platform/fields.js';

const heldIdError = 'heldId must be the 16-character id of a held message';
export const heldId = described(
  z.string({ error: heldIdError }).check(z.regex(HELD_ID, { error: heldIdError })),
  'the 16-character id of a held message (from GET .../held)',
);

export const HeldParams = z.strictObject({ roomId, heldId });
export const HeldQuery = z.strictObject({ maxResults, nextToken });
export const RejectBody = named(body({ reason: z.optional(reason) }), 'RejectHeld');

export const HeldMessage = named(
  z.object({
    id: z.string(),
    content: z.string(),
    sender: z.object({ userId: z.string(), attributes: z.record(z.string(), z.string()) }),
    heldAt: z.string(),
    reason: z.string(),
  }),
  'HeldMessage',
  "A message the review function held for a moderator: `content` as it would be delivered (masked where the policy masks), `sender` from the sender's chat token, `reason` why it was held.",
);
export const HeldList = named(
  z.object({ held: z.array(HeldMessage), nextToken: z.optional(z.string()) }),
  'HeldList',
);
export const HeldDecision = named(
  z.object({
    id: z.string(),
    decision: z.enum(['approved', 'rejected']),
    decidedBy: z.string(),
    decidedAt: z.string(),
    /** The id of the `app:approved-message` event (approve only). */
    eventId: z.optional(z.nullable(z.string())),
  }),
  'HeldDecision',
);
