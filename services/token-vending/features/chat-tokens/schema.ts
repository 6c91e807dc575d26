/** The chat-token API's shapes: exactly what the messaging SDK's tokenProvider wants, and no more. */
import * as z from 'zod/mini';
import { CHAT_TOKEN_CAPABILITIES, IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import { parseRoomArn } from '../../../../shared/ivs/arn.js';
import { body, integer, named } from '../../platform/fields.js';

const { min, max, default: fallback } = IVS_LIMITS.sessionDurationMinutes;
const arnError = 'roomIdentifier must be an IVS room ARN (arn:aws:ivschat:<region>:<account>:room/<id>)';

export const TokenRequest = named(
  body({
    // IVS documents every roomIdentifier as "must currently be an ARN" (CreateChatToken API reference).
    roomIdentifier: z
      .string({ error: arnError })
      .check(z.refine((value) => parseRoomArn(value) !== undefined, arnError)),
    sessionDurationInMinutes: z.optional(integer('sessionDurationInMinutes', min, max)),
  }),
  'ChatTokenRequest',
  `No other field is accepted: the server decides capabilities, user id and attributes. sessionDurationInMinutes defaults to ${fallback} and is capped by the caller's role.`,
);
export type TokenRequest = z.output<typeof TokenRequest>;

export const ChatToken = named(
  z.object({
    token: z.string(),
    tokenExpirationTime: z.string(),
    sessionExpirationTime: z.string(),
    userId: z.string(),
    capabilities: z.array(z.enum(CHAT_TOKEN_CAPABILITIES)),
    sendBlockedUntil: z.optional(z.string()),
  }),
  'ChatToken',
  "token, tokenExpirationTime and sessionExpirationTime exactly as the messaging SDK's tokenProvider wants them. sendBlockedUntil: the caller is timed out until then (the token lacks SEND_MESSAGE; fetch a new one after it).",
);
