/** OpenAPI entries for /v1/rooms and its members (merged into GET /openapi.json). */
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';

const problem = { $ref: '#/components/responses/Problem' };
const security = [{ bearer: [] }];
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), problem]));

const roomId = {
  name: 'roomId',
  in: 'path',
  required: true,
  description: 'The 12-character IVS room id',
  schema: { type: 'string', pattern: '^[a-zA-Z0-9]{12}$' },
};
const userId = {
  name: 'userId',
  in: 'path',
  required: true,
  description: 'A user id (the JWT sub), or `me` for the caller',
  schema: { type: 'string', minLength: 1, maxLength: 128 },
};
export const pageQuery = [
  {
    name: 'maxResults',
    in: 'query',
    schema: {
      type: 'integer',
      minimum: IVS_LIMITS.listMaxResults.min,
      maximum: IVS_LIMITS.listMaxResults.max,
      default: IVS_LIMITS.listMaxResults.default,
    },
  },
  {
    name: 'nextToken',
    in: 'query',
    description: 'Opaque, from the previous page; bound to the listing and the caller, valid for 24 hours',
    schema: { type: 'string' },
  },
];

const name = { type: 'string', maxLength: IVS_LIMITS.roomName.max, pattern: '^[a-zA-Z0-9-_]*$' };
const length = {
  type: 'integer',
  minimum: IVS_LIMITS.maximumMessageLength.min,
  maximum: IVS_LIMITS.maximumMessageLength.max,
};
const rate = {
  type: 'integer',
  minimum: IVS_LIMITS.maximumMessageRatePerSecond.min,
  maximum: IVS_LIMITS.maximumMessageRatePerSecond.max,
};

export const roomSchemas = {
  Room: {
    type: 'object',
    required: [
      'id',
      'arn',
      'name',
      'privacy',
      'createTime',
      'updateTime',
      'maximumMessageLength',
      'maximumMessageRatePerSecond',
      'tags',
      'myRole',
    ],
    properties: {
      id: { type: 'string' },
      arn: { type: 'string' },
      name,
      privacy: { enum: ['public', 'private'] },
      createTime: { type: 'string', format: 'date-time' },
      updateTime: { type: 'string', format: 'date-time' },
      maximumMessageLength: length,
      maximumMessageRatePerSecond: rate,
      messageReviewHandler: {
        type: 'object',
        properties: { uri: { type: 'string' }, fallbackResult: { enum: ['ALLOW', 'DENY'] } },
      },
      tags: { type: 'object', additionalProperties: { type: 'string' } },
      myRole: { enum: ['owner', 'moderator', 'member', null] },
    },
  },
  Member: {
    type: 'object',
    required: ['userId', 'role', 'since'],
    properties: {
      userId: { type: 'string' },
      role: { enum: ['owner', 'moderator', 'member'] },
      since: { type: 'string', format: 'date-time' },
    },
  },
};

const room = { $ref: '#/components/schemas/Room' };
const member = { $ref: '#/components/schemas/Member' };

export const roomPaths: Record<string, unknown> = {
  '/v1/rooms': {
    post: {
      summary: 'Create a room (room creators: policy roomCreatorRoles, default admin)',
      description:
        'Creates the IVS room with the configured review handler attached, then records it; the caller becomes its owner. A failure between the two is undone.',
      security,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          additionalProperties: false,
          properties: {
            name,
            privacy: { enum: ['public', 'private'], default: 'public' },
            maximumMessageLength: length,
            maximumMessageRatePerSecond: rate,
            tags: {
              type: 'object',
              maxProperties: IVS_LIMITS.tags.maxPerResource - 1,
              additionalProperties: { type: 'string', maxLength: IVS_LIMITS.tags.valueMax },
            },
          },
        }),
      },
      responses: {
        '201': {
          description: 'The room',
          headers: { Location: { schema: { type: 'string' } } },
          content: json(room),
        },
        ...errors(400, 401, 403, 413, 415, 502, 503),
      },
    },
    get: {
      summary: 'List rooms, newest first',
      description:
        "With memberId (`me` or the caller's id; any id for admins): the rooms that member belongs to. Without: public rooms and the caller's private rooms. Rooms made outside the API are public, without an owner.",
      security,
      parameters: [
        { name: 'memberId', in: 'query', schema: { type: 'string' } },
        { name: 'name', in: 'query', schema: name },
        ...pageQuery,
      ],
      responses: {
        '200': {
          description: 'A page of rooms',
          content: json({
            type: 'object',
            required: ['rooms'],
            properties: { rooms: { type: 'array', items: room }, nextToken: { type: 'string' } },
          }),
        },
        ...errors(400, 401, 403, 503),
      },
    },
  },
  '/v1/rooms/{roomId}': {
    parameters: [roomId],
    get: {
      summary: 'A room (a private room is a 404 to non-members)',
      security,
      responses: { '200': { description: 'The room', content: json(room) }, ...errors(400, 401, 404, 503) },
    },
    patch: {
      summary: 'Change name, message length or rate ("slow mode"): owner and admins; privacy cannot change',
      security,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          additionalProperties: false,
          properties: { name, maximumMessageLength: length, maximumMessageRatePerSecond: rate },
        }),
      },
      responses: {
        '200': { description: 'The room', content: json(room) },
        ...errors(400, 401, 403, 404, 415, 502, 503),
      },
    },
    delete: {
      summary: 'Delete the room and everything kept for it: owner and admins',
      security,
      responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 403, 404, 502, 503) },
    },
  },
  '/v1/rooms/{roomId}/members': {
    parameters: [roomId],
    get: {
      summary: "A room's members (members of a private room; moderators of a public one)",
      security,
      parameters: pageQuery,
      responses: {
        '200': {
          description: 'A page of members, by user id',
          content: json({
            type: 'object',
            required: ['members'],
            properties: { members: { type: 'array', items: member }, nextToken: { type: 'string' } },
          }),
        },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
  '/v1/rooms/{roomId}/members/{userId}': {
    parameters: [roomId, userId],
    put: {
      summary:
        'Add a member or set their role: moderators add members, owner and admins grant moderator; anyone may join a public room as member themself',
      security,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          additionalProperties: false,
          required: ['role'],
          properties: { role: { enum: ['member', 'moderator'] } },
        }),
      },
      responses: {
        '200': { description: 'Role changed', content: json(member) },
        '201': { description: 'Member added', content: json(member) },
        ...errors(400, 401, 403, 404, 415, 503),
      },
    },
    delete: {
      summary:
        'Remove a member (moderators, owner, admins) or leave (the member themself); removal from a private room disconnects them',
      security,
      responses: {
        '204': { description: 'Not a member any more' },
        ...errors(400, 401, 403, 404, 409, 502, 503),
      },
    },
  },
};
