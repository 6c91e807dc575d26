/**
 * One schema per route: a route is declared once (method, path, the zod schemas of its parameters,
 * query, body and responses, and its handler), and from that one declaration come the Express
 * handler with its validation (problem+json `invalid_parameter` / `invalid_body`), the handler's
 * TypeScript types, and the route's entry in the OpenAPI document (openapi/document.ts). Nothing about
 * a route's shape is written twice.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import * as z from 'zod/mini';
import { isRecord } from '../../../shared/json.js';
import { jsonBody, jsonIfBody, requireJson } from './body.js';
import { BODY_LIMIT_BYTES, HttpError } from './problem.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body; none for 204 and redirects. */
  readonly schema?: z.ZodMiniType;
  /** Headers worth documenting (name → description). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler answers; the route sends it (JSON, `Cache-Control: no-store` unless set). */
export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

// `unknown` (a route of any shape) stays unknown; no schema gives undefined.
type Output<T> = unknown extends T ? unknown : T extends z.ZodMiniType ? z.output<T> : undefined;

export interface HandlerInput<P, Q, B> {
  readonly params: Output<P>;
  readonly query: Output<Q>;
  readonly body: Output<B>;
  readonly req: Request;
  readonly res: Response;
}

export interface RouteSpec<P, Q, B> {
  /** OpenAPI operationId: unique, camelCase. */
  readonly operationId: string;
  readonly method: Method;
  /** OpenAPI style: `/v1/rooms/{roomId}`. */
  readonly path: string;
  /** The OpenAPI tag: the feature this route belongs to. */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /**
   * `caller`: authenticated (anonymous callers too, where ALLOW_ANONYMOUS lets them and the access
   * model allows anonymous for the action); `none`: no authentication at all.
   */
  readonly auth: 'caller' | 'none';
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** The body may be absent (read as `{}`), e.g. a DELETE with an optional reason. */
  readonly bodyOptional?: boolean;
  readonly bodyLimitBytes?: number;
  /** Said after "field N of the body is not accepted (allowed: …)". */
  readonly unknownFieldHint?: string;
  /** Runs after authentication, before validation (the token route's per-user limit). */
  readonly before?: readonly RequestHandler[];
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Statuses answered as problem+json, besides those every route can answer (400, 500). */
  readonly problems: readonly number[];
  handler(input: HandlerInput<P, Q, B>): Promise<Reply> | Reply;
}

/** A route of any shape (what lists and the OpenAPI generator take). */
export type Route = RouteSpec<unknown, unknown, unknown>;

/** Declares a route; the generic parameters give the handler its input types. */
export function defineRoute<
  P extends z.ZodMiniType | undefined = undefined,
  Q extends z.ZodMiniType | undefined = undefined,
  B extends z.ZodMiniType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec as Route;
}

const EMPTY_QUERY = z.strictObject({});

type Where = 'path' | 'query' | 'body';

/** The caller's mistake as one sentence: the schema's own message, never the caller's text. */
function refusal(
  schema: z.ZodMiniType,
  value: unknown,
  error: z.core.$ZodError,
  where: Where,
  hint = '',
): HttpError {
  const code = where === 'body' ? 'invalid_body' : 'invalid_parameter';
  const issue = error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    // Name the field by position (its name is client text, and the message is logged).
    const container = issue.path.reduce<unknown>(
      (node, key) => (isRecord(node) ? node[String(key)] : undefined),
      value,
    );
    const keys = isRecord(container) ? Object.keys(container) : [];
    const unknownKey = issue.keys[0];
    const position = unknownKey === undefined ? 0 : keys.indexOf(unknownKey) + 1;
    const allowed = allowedKeys(schema, issue.path);
    const noun = where === 'body' ? 'field' : 'query parameter';
    return new HttpError(
      400,
      code,
      `${noun} ${position} of the ${where === 'body' ? 'body' : 'query'} is not accepted (allowed: ${allowed.join(', ') || 'none'})${hint}`,
    );
  }
  const message = issue?.message;
  return new HttpError(
    400,
    code,
    message !== undefined && message !== 'Invalid input' ? message : `the ${where} is not valid`,
  );
}

function allowedKeys(schema: z.ZodMiniType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of path) {
    const shape = objectShape(node);
    node = shape?.[String(key)];
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(schema: unknown): Record<string, unknown> | undefined {
  if (!(schema instanceof z.ZodMiniObject)) return undefined;
  const shape: unknown = schema.def.shape;
  return isRecord(shape) ? shape : undefined;
}

function parse(schema: z.ZodMiniType, value: unknown, where: Where, hint?: string): unknown {
  const result = z.safeParse(schema, value);
  if (!result.success) throw refusal(schema, value, result.error, where, hint);
  return result.data;
}

export interface MountOptions {
  readonly authenticate: RequestHandler;
  /** Check every answer against its response schema (tests): a mismatch is a 500. */
  readonly validateResponses?: boolean;
}

/** Express's path syntax for an OpenAPI path. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z]+)\}/g, ':$1');
}

/** The Express handlers for a route: body parsing, authentication, validation, the handler. */
export function mountRoute(router: Router, route: Route, options: MountOptions): void {
  const chain: RequestHandler[] = [];
  if (route.body !== undefined) {
    chain.push(route.bodyOptional === true ? jsonIfBody : requireJson);
    chain.push(jsonBody(route.bodyLimitBytes ?? BODY_LIMIT_BYTES));
  }
  if (route.auth === 'caller') chain.push(options.authenticate);
  chain.push(...(route.before ?? []));
  chain.push(async (req, res) => {
    const params = route.params === undefined ? undefined : parse(asSchema(route.params), req.params, 'path');
    const query = parse(asSchema(route.query ?? EMPTY_QUERY), req.query, 'query');
    let body: unknown;
    if (route.body !== undefined) {
      const raw: unknown = req.body ?? (route.bodyOptional === true ? {} : undefined);
      body = parse(asSchema(route.body), raw, 'body', route.unknownFieldHint);
    }
    const reply = await route.handler({ params, query, body, req, res });
    send(res, route, reply, options);
  });
  router[route.method](expressPath(route.path), ...chain);
}

function asSchema(value: unknown): z.ZodMiniType {
  if (value instanceof z.ZodMiniType) return value;
  throw new HttpError(500, 'internal', 'a route declares a schema that is not a zod schema');
}

function send(res: Response, route: Route, reply: Reply, options: MountOptions): void {
  const status = reply.status ?? (reply.body === undefined ? 204 : 200);
  if (options.validateResponses === true) {
    const spec = route.responses[status];
    if (spec === undefined) {
      throw new HttpError(
        500,
        'internal',
        `${route.operationId} answered ${status}, which it does not declare`,
      );
    }
    if (spec.schema !== undefined) {
      const result = z.safeParse(spec.schema, reply.body);
      if (!result.success) {
        const where = result.error.issues[0]?.path.join('.') ?? '';
        throw new HttpError(500, 'internal', `${route.operationId} answered off its schema at "${where}"`);
      }
    }
  }
  res.status(status).set({ 'Cache-Control': 'no-store', ...reply.headers });
  if (reply.body === undefined) res.end();
  else res.json(reply.body);
}

/** Mounts routes on a fresh router, in order. */
export function routerFor(routes: readonly Route[], options: MountOptions): Router {
  const router = Router();
  for (const route of routes) mountRoute(router, route, options);
  return router;
}
