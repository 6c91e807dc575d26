/** OpenAPI entries for moderation and history (merged into GET /openapi.json). */
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { pageQuery } from './rooms.js';

const problem = { $ref: '#/components/responses/Problem' };
const security = [{ bearer: [] }];
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), problem]));
const path = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const roomId = path('roomId', 'The 12-character IVS room id', {
  type: 'string',
  pattern: '^[a-zA-Z0-9]{12}$',
});
const userId = path('userId', 'A user id (the JWT sub)', { type: 'string', minLength: 1, maxLength: 128 });
const messageId = path('messageId', 'The IVS message id', { type: 'string', pattern: '^[a-zA-Z0-9]{12}$' });
const reason = { type: 'string', minLength: 1, maxLength: IVS_LIMITS.reasonLength.max };

export const moderationSchemas = {
  Restriction: {
    type: 'object',
    required: ['userId', 'by', 'since'],
    properties: {
      userId: { type: 'string' },
      reason,
      until: { type: 'string', format: 'date-time', description: 'absent: permanent' },
      by: { type: 'string' },
      since: { type: 'string', format: 'date-time' },
    },
  },
  HistoryMessage: {
    type: 'object',
    required: ['id', 'content', 'sendTime', 'sender', 'attributes'],
    properties: {
      id: { type: 'string', description: 'The IVS message id, as clients see it live' },
      content: { type: 'string', description: 'As delivered (after any masking)' },
      sendTime: { type: 'string', format: 'date-time' },
      sender: {
        type: 'object',
        properties: {
          userId: { type: 'string' },
          attributes: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      attributes: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
};

const restriction = { $ref: '#/components/schemas/Restriction' };
const restrictionBody = (minutes: { min: number; max: number }, required: boolean) => ({
  required: true,
  content: json({
    type: 'object',
    additionalProperties: false,
    ...(required ? { required: ['durationMinutes'] } : {}),
    properties: { reason, durationMinutes: { type: 'integer', minimum: minutes.min, maximum: minutes.max } },
  }),
});
const restrictionRoutes = (
  what: string,
  minutes: { min: number; max: number },
  required: boolean,
  effect: string,
) => ({
  put: {
    summary: `${what}: room moderators, owner, admins (not the owner, an admin or yourself)`,
    description: effect,
    security,
    requestBody: restrictionBody(minutes, required),
    responses: {
      '200': { description: 'Replaced the one in force', content: json(restriction) },
      '201': { description: 'Set', content: json(restriction) },
      ...errors(400, 401, 403, 404, 415, 502, 503),
    },
  },
  delete: {
    summary: `Lift it (204 also when there is none)`,
    security,
    responses: { '204': { description: 'Lifted' }, ...errors(400, 401, 403, 404, 503) },
  },
});
const listOf = (key: string, summary: string) => ({
  get: {
    summary,
    security,
    parameters: pageQuery,
    responses: {
      '200': {
        description: 'A page, by user id; ended ones are not listed',
        content: json({
          type: 'object',
          required: [key],
          properties: { [key]: { type: 'array', items: restriction }, nextToken: { type: 'string' } },
        }),
      },
      ...errors(400, 401, 403, 404, 503),
    },
  },
});

export const moderationPaths: Record<string, unknown> = {
  '/v1/rooms/{roomId}/bans/{userId}': {
    parameters: [roomId, userId],
    ...restrictionRoutes(
      'Ban from the room, permanently or for durationMinutes',
      { min: 1, max: 525_600 },
      false,
      "The user's connections to the room close at once (DisconnectUser with the reason); no token for the room until the ban ends (403 banned).",
    ),
  },
  '/v1/rooms/{roomId}/bans': { parameters: [roomId], ...listOf('bans', 'Bans in force') },
  '/v1/rooms/{roomId}/timeouts/{userId}': {
    parameters: [roomId, userId],
    ...restrictionRoutes(
      'Time out (mute) for durationMinutes',
      { min: 1, max: 10_080 },
      true,
      'The user keeps reading; the review Lambda refuses what they send, and tokens issued meanwhile lack SEND_MESSAGE.',
    ),
  },
  '/v1/rooms/{roomId}/timeouts': { parameters: [roomId], ...listOf('timeouts', 'Timeouts in force') },
  '/v1/rooms/{roomId}/messages/{messageId}': {
    parameters: [roomId, messageId],
    delete: {
      summary: 'Delete a message (DeleteMessage): room moderators, owner, admins',
      security,
      requestBody: {
        required: false,
        content: json({ type: 'object', additionalProperties: false, properties: { reason } }),
      },
      responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404, 415, 502, 503) },
    },
  },
  '/v1/rooms/{roomId}/messages': {
    parameters: [roomId],
    get: {
      summary: "The room's recent history, newest first (readers: those who may get a token for the room)",
      security: [{ bearer: [] }, {}],
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
        {
          name: 'nextToken',
          in: 'query',
          description: 'Opaque, for older messages',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'A page of messages; a deleted message never appears',
          content: json({
            type: 'object',
            required: ['messages'],
            properties: {
              messages: { type: 'array', items: { $ref: '#/components/schemas/HistoryMessage' } },
              nextToken: { type: 'string' },
            },
          }),
        },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
  '/v1/rooms/{roomId}/events': {
    parameters: [roomId],
    post: {
      summary: 'Send an event to the room (SendEvent; announcements): room moderators, owner, admins',
      security,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          additionalProperties: false,
          required: ['eventName'],
          properties: {
            eventName: { type: 'string', minLength: 1, maxLength: IVS_LIMITS.eventNameLength.max },
            attributes: { type: 'object', additionalProperties: { type: 'string' } },
          },
        }),
      },
      responses: {
        '200': {
          description: 'Sent',
          content: json({ type: 'object', properties: { id: { type: 'string' } } }),
        },
        ...errors(400, 401, 403, 404, 415, 502, 503),
      },
    },
  },
  '/v1/rooms/{roomId}/moderation-log': {
    parameters: [roomId],
    get: {
      summary: 'Who did what to whom, when and why, newest first (kept 90 days)',
      security,
      parameters: pageQuery,
      responses: {
        '200': {
          description: 'A page of entries',
          content: json({
            type: 'object',
            required: ['entries'],
            properties: {
              entries: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['time', 'action', 'by'],
                  properties: {
                    time: { type: 'string', format: 'date-time' },
                    action: {
                      enum: [
                        'ban',
                        'unban',
                        'timeout',
                        'untimeout',
                        'deleteMessage',
                        'sendEvent',
                        'removeMember',
                        'setRole',
                      ],
                    },
                    by: { type: 'string' },
                    target: { type: 'string' },
                    reason,
                    until: { type: 'string', format: 'date-time' },
                    messageId: { type: 'string' },
                    eventName: { type: 'string' },
                  },
                },
              },
              nextToken: { type: 'string' },
            },
          }),
        },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
  '/v1/bans/{userId}': {
    parameters: [userId],
    ...restrictionRoutes(
      'App-wide ban (admins)',
      { min: 1, max: 525_600 },
      false,
      'No token for any room; the user is disconnected from every room where they hold a session.',
    ),
    get: {
      summary: "A user's app-wide ban (admins); 404 when there is none",
      security,
      responses: {
        '200': { description: 'The ban', content: json(restriction) },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
};
