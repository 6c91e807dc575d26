/** GET /openapi.json: the token service's HTTP API as OpenAPI 3.1. */
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { moderationPaths, moderationSchemas } from './moderation.js';
import { roomPaths, roomSchemas } from './rooms.js';

const problem = { $ref: '#/components/responses/Problem' };

export function openApiDocument(options: {
  devLogin: boolean;
  allowAnonymous: boolean;
  /** The service also serves the demo page and its /config.json (the local stack). */
  site?: boolean;
}): Record<string, unknown> {
  const { min, max } = IVS_LIMITS.sessionDurationMinutes;
  const paths: Record<string, unknown> = {
    '/v1/chat-tokens': {
      post: {
        summary: 'Issue an IVS Chat token for the caller',
        description:
          'Capabilities, session cap, user id (the JWT sub) and attributes are decided by the server from the verified JWT and the policy; a body naming any of them is refused.' +
          (options.allowAnonymous ? ' Callers without a JWT get a view-only token.' : ''),
        security: options.allowAnonymous ? [{ bearer: [] }, {}] : [{ bearer: [] }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['roomIdentifier'],
                properties: {
                  roomIdentifier: {
                    type: 'string',
                    pattern: '^arn:aws[a-z-]*:ivschat:[a-z0-9-]+:[0-9]{12}:room/[a-zA-Z0-9]{12}$',
                  },
                  sessionDurationInMinutes: {
                    type: 'integer',
                    minimum: min,
                    maximum: max,
                    default: IVS_LIMITS.sessionDurationMinutes.default,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'A chat token, in the shape the messaging SDK tokenProvider wants',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: [
                    'token',
                    'tokenExpirationTime',
                    'sessionExpirationTime',
                    'userId',
                    'capabilities',
                  ],
                  properties: {
                    token: { type: 'string' },
                    tokenExpirationTime: { type: 'string', format: 'date-time' },
                    sessionExpirationTime: { type: 'string', format: 'date-time' },
                    userId: { type: 'string' },
                    capabilities: {
                      type: 'array',
                      items: { enum: ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'] },
                    },
                  },
                },
              },
            },
          },
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
          '413': problem,
          '415': problem,
          '429': problem,
          '502': problem,
          '503': problem,
        },
      },
    },
    ...roomPaths,
    ...moderationPaths,
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
    '/openapi.json': {
      get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
    },
  };
  if (options.site === true) {
    paths['/config.json'] = {
      get: {
        summary: 'What a chat page needs to start: the API, the room, the messaging URL and the room limits',
        description:
          'Served only beside the demo page (the local stack). On another host, write the same file from the stack outputs.',
        responses: {
          '200': {
            description: 'The page configuration (never cached)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['apiBaseUrl', 'roomArn', 'messagingUrl', 'maximumMessageLength'],
                  properties: {
                    apiBaseUrl: { type: 'string', description: '"" when the API is on the same origin' },
                    roomArn: { type: 'string' },
                    messagingUrl: {
                      type: 'string',
                      description: 'ws:// or wss:// URL of the messaging endpoint',
                    },
                    maximumMessageLength: {
                      type: 'integer',
                      minimum: 1,
                      maximum: 500,
                      description: "The room's limit, in Unicode code points",
                    },
                    maximumMessageRatePerSecond: {
                      type: 'integer',
                      minimum: 1,
                      maximum: 100,
                      description: 'Messages per second the room accepts across all its connections',
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
  }
  if (options.devLogin) {
    paths['/v1/dev/login'] = {
      post: {
        summary: 'Local mode only: an RS256 ID token for any user',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['userId'],
                properties: {
                  userId: { type: 'string', minLength: 1, maxLength: 128 },
                  displayName: { type: 'string', minLength: 1, maxLength: 128 },
                  roles: { type: 'array', maxItems: 10, items: { type: 'string' } },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The ID token',
            content: {
              'application/json': { schema: { type: 'object', properties: { idToken: { type: 'string' } } } },
            },
          },
          '400': problem,
        },
      },
    };
    paths['/.well-known/jwks.json'] = {
      get: {
        summary: 'Local mode only: the dev login public key',
        responses: { '200': { description: 'JWKS' } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'IVS Chat token vending service', version: '2.0.0' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...roomSchemas, ...moderationSchemas },
      responses: {
        Problem: {
          description: 'RFC 9457 problem details with a stable code and the request id',
          headers: {
            'WWW-Authenticate': { description: '401 only', schema: { type: 'string' } },
            'Retry-After': { description: '429 and 503', schema: { type: 'string' } },
          },
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                required: ['type', 'title', 'status', 'code', 'requestId'],
                properties: {
                  type: { type: 'string' },
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  detail: { type: 'string' },
                  code: { type: 'string' },
                  requestId: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
}
