/**
 * The token-vending Express app, built from injected parts so tests, the process entry and the Lambda
 * entry all run the same code (`createApp(deps)`; another file calls listen).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { CreateChatTokenCommand, type IvschatClient } from '@aws-sdk/client-ivschat';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { IVS_LIMITS } from '../../shared/ivs/limits.js';
import { parseRoomArn } from '../../shared/ivs/arn.js';
import { describeError, type Logger } from '../../shared/logger.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import type { DevIdentityProvider } from './dev-login.js';
import { HttpError, unauthorized } from './errors.js';
import { mapIvsError } from './ivs.js';
import { openApiDocument } from './openapi.js';
import { decide, type Caller, type ChatPolicy } from './policy.js';
import { BoundedMemoryStore } from './rate-limit-store.js';
import { isRecord } from '../../shared/json.js';

/** The static demo page, served from the same origin as the API when given. */
export interface SiteOptions {
  readonly dir: string;
  /** Served as GET /config.json. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Extra CSP connect-src entries (the emulator's ws:// URL). */
  readonly connectSources: readonly string[];
}

export type AppConfig = Pick<Config, 'allowAnonymous' | 'corsOrigins' | 'rateLimit' | 'trustProxy'>;

export interface AppDeps {
  readonly ivs: IvschatClient;
  readonly verifier: TokenVerifier;
  readonly policy: ChatPolicy;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Local mode only: enables POST /v1/dev/login and GET /.well-known/jwks.json. */
  readonly devIdentity?: DevIdentityProvider;
  readonly site?: SiteOptions;
}

/** RFC 7230 body limit for every JSON endpoint; token requests are a few hundred bytes. */
export const BODY_LIMIT_BYTES = 4096;
/** Overall cap on one CreateChatToken, retries included: no caller waits on IVS longer than this. */
export const IVS_DEADLINE_MS = 5000;
const REQUEST_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN_REQUEST_FIELDS = ['roomIdentifier', 'sessionDurationInMinutes'] as const;
const DEV_LOGIN_FIELDS = ['userId', 'displayName', 'roles'] as const;

interface Locals {
  requestId: string;
  caller?: Caller;
  rateKey?: string;
}

/** Per-request state, kept beside the response rather than in the loosely typed res.locals. */
const contexts = new WeakMap<Response, Locals>();

function locals(res: Response): Locals {
  const context = contexts.get(res);
  if (!context) throw new HttpError(500, 'internal', 'request context missing');
  return context;
}

function requireObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(body)) throw new HttpError(400, 'invalid_body', 'the body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        'invalid_body',
        `"${key.slice(0, 64)}" is not accepted (allowed: ${allowed.join(', ')}); the server decides capabilities, user id and attributes`,
      );
    }
  }
  return body;
}

export interface TokenRequest {
  readonly roomIdentifier: string;
  readonly sessionDurationInMinutes: number | undefined;
}

export function parseTokenRequest(body: unknown): TokenRequest {
  const value = requireObject(body, TOKEN_REQUEST_FIELDS);
  // Every roomIdentifier "must currently be an ARN" (ivschat-facts.md §1).
  if (!parseRoomArn(value.roomIdentifier)) {
    throw new HttpError(
      400,
      'invalid_body',
      'roomIdentifier must be an IVS room ARN (arn:aws:ivschat:<region>:<account>:room/<id>)',
    );
  }
  const duration = value.sessionDurationInMinutes;
  const { min, max } = IVS_LIMITS.sessionDurationMinutes;
  if (
    duration !== undefined &&
    (typeof duration !== 'number' || !Number.isInteger(duration) || duration < min || duration > max)
  ) {
    throw new HttpError(
      400,
      'invalid_body',
      `sessionDurationInMinutes must be an integer from ${min} to ${max}`,
    );
  }
  return { roomIdentifier: String(value.roomIdentifier), sessionDurationInMinutes: duration };
}

function parseDevLogin(body: unknown): { userId: string; displayName?: string; roles?: string[] } {
  const value = requireObject(body, DEV_LOGIN_FIELDS);
  const { userId, displayName, roles } = value;
  const { min, max } = IVS_LIMITS.userIdLength;
  if (typeof userId !== 'string' || userId.length < min || userId.length > max) {
    throw new HttpError(400, 'invalid_body', `userId must be a string of ${min} to ${max} characters`);
  }
  if (
    displayName !== undefined &&
    (typeof displayName !== 'string' || displayName.length < 1 || displayName.length > 128)
  ) {
    throw new HttpError(400, 'invalid_body', 'displayName must be a string of 1 to 128 characters');
  }
  if (
    roles !== undefined &&
    (!Array.isArray(roles) ||
      roles.length > 10 ||
      !roles.every((role) => typeof role === 'string' && /^[A-Za-z0-9_:.-]{1,64}$/.test(role)))
  ) {
    throw new HttpError(400, 'invalid_body', 'roles must be an array of at most 10 role names');
  }
  return {
    userId,
    ...(displayName === undefined ? {} : { displayName }),
    ...(roles === undefined ? {} : { roles: roles.map(String) }),
  };
}

const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json') === false || req.is('application/json') === null) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json');
  }
  next();
};

/** Express/body-parser errors carry a `type` and `status`; anything else is a bug → 500. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const type: unknown = isRecord(error) || error instanceof Error ? Reflect.get(error, 'type') : undefined;
  switch (type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `the body is larger than ${BODY_LIMIT_BYTES} bytes`, {
        cause: error,
      });
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', 'the body is not valid JSON', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'send the body as UTF-8 application/json', {
        cause: error,
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpError(400, 'invalid_body', 'the body could not be read', { cause: error });
  }
  // Other http-errors from Express and its middleware (e.g. a malformed URL for static files).
  const status: unknown =
    isRecord(error) || error instanceof Error ? Reflect.get(error, 'status') : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 404 ? 'not_found' : status === 413 ? 'payload_too_large' : 'invalid_body';
    return new HttpError(status, code, 'the request could not be processed', { cause: error });
  }
  return new HttpError(500, 'internal', 'unexpected error', { cause: error });
}

export function createApp(deps: AppDeps): express.Express {
  const { ivs, verifier, policy, clock, logger, config, devIdentity, site } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  // Request id first: every response, error or not, carries one; the access log never names the
  // caller (no user id, no token, no query string).
  app.use((req, res, next) => {
    const inbound = req.get('x-request-id');
    const requestId = inbound !== undefined && REQUEST_ID.test(inbound) ? inbound : randomUUID();
    contexts.set(res, { requestId });
    res.set('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const route: unknown = req.route;
      const path = isRecord(route) && typeof route.path === 'string' ? route.path : undefined;
      logger.info('request', {
        requestId,
        method: req.method,
        ...(path === undefined ? {} : { route: path }),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    next();
  });

  app.use(
    helmet(
      site
        ? {
            contentSecurityPolicy: {
              useDefaults: true,
              directives: {
                'script-src': ["'self'"],
                'style-src': ["'self'"],
                'img-src': ["'self'", 'data:', 'https:'],
                'connect-src': ["'self'", ...site.connectSources],
              },
            },
          }
        : {},
    ),
  );
  app.use(
    cors({
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );

  const json = express.json({ limit: BODY_LIMIT_BYTES, type: 'application/json', strict: true });

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(
      openApiDocument({
        devLogin: devIdentity !== undefined,
        allowAnonymous: config.allowAnonymous,
        site: site !== undefined,
      }),
    );
  });

  if (devIdentity) {
    app.get('/.well-known/jwks.json', (_req, res) => {
      res.set('Cache-Control', 'public, max-age=300').json(devIdentity.jwks);
    });
    app.post('/v1/dev/login', requireJson, json, (req, res) => {
      const user = parseDevLogin(req.body);
      res.set('Cache-Control', 'no-store').json({ idToken: devIdentity.signIdToken(user) });
    });
  }

  const authenticate: RequestHandler = async (req, res, next) => {
    const header = req.get('authorization');
    const context = locals(res);
    if (header === undefined) {
      if (!config.allowAnonymous) {
        throw unauthorized('missing_token', 'send Authorization: Bearer <your app JWT>');
      }
      // IVS needs a userId (1–128 characters) even for a read-only connection.
      context.caller = { kind: 'anonymous', userId: `anonymous-${randomUUID()}` };
      next();
      return;
    }
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    if (!match?.[1]) throw unauthorized('invalid_token', 'the Authorization header must be "Bearer <JWT>"');
    const identity = await verifier.verify(match[1]);
    context.caller = { kind: 'user', sub: identity.sub, roles: identity.roles, claims: identity.claims };
    next();
  };

  const limits: RequestHandler[] = [];
  if (config.rateLimit.max > 0) {
    const store = new BoundedMemoryStore({
      windowMs: config.rateLimit.windowMs,
      maxKeys: config.rateLimit.maxKeys,
      now: clock,
    });
    limits.push(
      rateLimit({
        windowMs: config.rateLimit.windowMs,
        limit: config.rateLimit.max,
        store,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        // Per user once authenticated; per IP (IPv6 /56, the helper's default) for anonymous callers.
        keyGenerator: (req, res) => {
          const context = locals(res);
          const key =
            context.caller?.kind === 'user'
              ? `sub:${context.caller.sub}`
              : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
          context.rateKey = key;
          return key;
        },
        handler: (_req, res, next) => {
          const key = locals(res).rateKey;
          const resetAt = key === undefined ? undefined : store.get(key)?.resetTime?.getTime();
          const seconds = Math.max(
            1,
            Math.ceil(((resetAt ?? clock() + config.rateLimit.windowMs) - clock()) / 1000),
          );
          next(
            new HttpError(429, 'rate_limited', 'too many token requests; retry later', {
              headers: { 'Retry-After': String(seconds) },
            }),
          );
        },
      }),
    );
  }

  app.post(
    '/v1/chat-tokens',
    requireJson,
    json,
    authenticate,
    ...limits,
    async (req: Request, res: Response) => {
      const request = parseTokenRequest(req.body);
      const caller = locals(res).caller;
      if (!caller) throw new HttpError(500, 'internal', 'caller missing');
      const decision = decide(policy, caller, request.roomIdentifier);
      if (!decision.allowed) throw new HttpError(403, 'forbidden', decision.reason);
      const { grant } = decision;
      const sessionDurationInMinutes = Math.min(
        request.sessionDurationInMinutes ?? IVS_LIMITS.sessionDurationMinutes.default,
        grant.maxSessionMinutes,
      );
      let output;
      try {
        output = await ivs.send(
          new CreateChatTokenCommand({
            roomIdentifier: request.roomIdentifier,
            userId: grant.userId,
            capabilities: [...grant.capabilities],
            sessionDurationInMinutes,
            attributes: grant.attributes,
          }),
        );
      } catch (error) {
        throw mapIvsError(error);
      }
      const { token, tokenExpirationTime, sessionExpirationTime } = output;
      if (
        typeof token !== 'string' ||
        !(tokenExpirationTime instanceof Date) ||
        !(sessionExpirationTime instanceof Date)
      ) {
        throw new HttpError(502, 'upstream_error', 'IVS Chat answered without a token');
      }
      logger.info('chat token issued', {
        requestId: locals(res).requestId,
        role: grant.role,
        capabilities: grant.capabilities,
        sessionDurationInMinutes,
      });
      // A chat token is a bearer credential: never cache it.
      res.set('Cache-Control', 'no-store').json({
        token,
        tokenExpirationTime: tokenExpirationTime.toISOString(),
        sessionExpirationTime: sessionExpirationTime.toISOString(),
        userId: grant.userId,
        capabilities: grant.capabilities,
      });
    },
  );

  if (site) {
    app.get('/config.json', (_req, res) => {
      res.set('Cache-Control', 'no-store').json(site.config);
    });
    app.use(express.static(site.dir, { index: 'index.html', fallthrough: true }));
  }

  app.use(() => {
    throw new HttpError(404, 'not_found', 'no such route');
  });

  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = toHttpError(error);
    const requestId = contexts.get(res)?.requestId ?? randomUUID();
    const cause = problem.cause ?? error;
    // Our own messages are safe to log; the cause's message may echo input (IVS validation messages
    // can quote the userId), so only its name goes out above debug.
    const fields = {
      requestId,
      status: problem.status,
      code: problem.code,
      reason: problem.message,
      errorName: describeError(cause).errorName,
    };
    if (problem.status >= 500) logger.error('request failed', fields);
    else logger.info('request refused', fields);
    logger.debug('request error detail', { requestId, ...describeError(cause) });
    res
      .status(problem.status)
      .set(problem.headers)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: STATUS_CODES[problem.status] ?? 'Error',
          status: problem.status,
          detail: problem.expose
            ? problem.message
            : 'the service failed; retry later or report the request id',
          code: problem.code,
          requestId,
        }),
      );
  };
  app.use(onError);
  return app;
}
