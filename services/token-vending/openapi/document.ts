/**
 * GET /openapi.json: the token service's HTTP API as OpenAPI 3.1, generated from the routes the app
 * serves (platform/route.ts): each route's zod schemas become its parameters, request body and
 * responses through zod's own JSON Schema output (OpenAPI 3.1 schemas are JSON Schema 2020-12), and
 * the named schemas become components. Nothing here is written by hand but the document's frame.
 */
import * as z from 'zod/mini';
import { isRecord } from '../../../shared/json.js';
import { apiSchemas } from '../platform/fields.js';
import { ERROR_CODE_MEANINGS, ERROR_CODES, PROBLEM_EXTENSIONS } from '../platform/problem.js';
import type { Route } from '../platform/route.js';

const COMPONENTS = '#/components/schemas/';

/** A JSON Schema for one zod schema, with named schemas as references into components. */
function jsonSchema(
  schema: unknown,
  io: 'input' | 'output',
  defs: Record<string, unknown>,
): Record<string, unknown> {
  if (!(schema instanceof z.ZodMiniType)) return {};
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    metadata: apiSchemas,
    unrepresentable: 'any',
  });
  const { $schema: _schema, $defs, ...rest } = converted;
  if (isRecord($defs)) Object.assign(defs, $defs);
  return rewriteRefs(rest);
}

/** zod writes references to extracted schemas as `#/$defs/<id>`; components hold them instead. */
function rewriteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(rewriteRefs) as T;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof item === 'string'
        ? item.replace(/^#\/\$defs\//, COMPONENTS)
        : rewriteRefs(item);
  }
  return out as T;
}

/** The members of an object schema (path and query parameters). */
function members(schema: unknown): [string, unknown][] {
  if (!(schema instanceof z.ZodMiniObject)) return [];
  const shape: unknown = schema.def.shape;
  return isRecord(shape) ? Object.entries(shape) : [];
}

function isOptional(schema: unknown): boolean {
  return schema instanceof z.ZodMiniType && schema._zod.optin === 'optional';
}

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, with a stable `code` and the request id.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', const: 'about:blank' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'For 4xx, what to fix; for 5xx, a generic text.' },
    code: {
      type: 'string',
      enum: [...ERROR_CODES],
      description: ERROR_CODES.map((code) => `\`${code}\`: ${ERROR_CODE_MEANINGS[code]}`).join('; '),
    },
    requestId: { type: 'string', description: 'Also in the X-Request-Id header and the service log.' },
    ...Object.fromEntries(
      Object.entries(PROBLEM_EXTENSIONS).map(([name, description]) => [
        name,
        { type: 'string', description },
      ]),
    ),
  },
};

export function openApiDocument(
  routes: readonly Route[],
  options: { readonly allowAnonymous: boolean },
): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...members(route.params).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema: jsonSchema(schema, 'input', defs),
      })),
      ...members(route.query).map(([name, schema]) => ({
        name,
        in: 'query',
        required:
          !isOptional(schema) && !JSON.stringify(jsonSchema(schema, 'input', defs)).includes('"default"'),
        schema: jsonSchema(schema, 'input', defs),
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.headers).map(([name, description]) => [
                  name,
                  { description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        ...(spec.schema
          ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output', defs) } } }
          : {}),
      };
    }
    for (const status of [
      ...(route.params || route.query || route.body ? [400] : []),
      ...route.problems,
      500,
    ]) {
      responses[String(status)] ??= { $ref: '#/components/responses/Problem' };
    }
    const security =
      route.auth === 'none'
        ? []
        : options.allowAnonymous && route.operationId === 'createChatToken'
          ? [{ bearer: [] }, {}]
          : [{ bearer: [] }];
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: route.bodyOptional !== true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input', defs) } },
            },
          }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'IVS Chat token service',
      version: '3',
      description:
        'Chat tokens for Amazon IVS Chat with capabilities decided by the server, rooms and memberships, moderation, history and live-stream room modes. Errors are application/problem+json with a stable `code`.',
    },
    // Relative: the API is where this document was fetched from (a process, or API Gateway's URL).
    servers: [{ url: '/', description: 'this service' }],
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "Your app's JWT (verified against your identity provider's JWKS)",
        },
      },
      schemas: { ...defs, Problem: problemSchema },
      responses: {
        Problem: {
          description: 'A problem (application/problem+json)',
          content: { 'application/problem+json': { schema: { $ref: `${COMPONENTS}Problem` } } },
        },
      },
    },
  };
}
