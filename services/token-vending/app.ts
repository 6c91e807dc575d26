/**
 * The token-vending Express app, built from injected parts so tests, the process entry and the Lambda
 * entry all run the same code (`createApp(deps)`; another file calls listen). This file only
 * assembles: routes live in routes/, permissions in access.ts, table access in store/, errors in
 * errors.ts.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IvschatClient } from '@aws-sdk/client-ivschat';
import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { describeError, type Logger } from '../../shared/logger.js';
import { isRecord } from '../../shared/json.js';
import type { Table } from '../../shared/table/client.js';
import type { TokenVerifier } from './auth/verifier.js';
import { createAuthFailureGuard, DEFAULT_AUTH_FAILURE_LIMIT } from './auth/failed-sign-ins.js';
import type { Config } from './config.js';
import type { DevIdentityProvider } from './features/dev-login/identity.js';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CORS_METHODS,
} from './platform/cors.js';
import { HttpError } from './platform/problem.js';
import { BODY_LIMIT_BYTES, authenticator, locals, requestIdOf, startContext } from './platform/http.js';
import { rejectDuplicateHeaders, requireUtf8Body } from './platform/input.js';
import { openApiDocument } from './openapi/document.js';
import type { ChatPolicy } from './access/chat-policy.js';
import { chatTokensRouter } from './features/chat-tokens/routes.js';
import { devLoginRouter } from './features/dev-login/routes.js';
import { membersRouter } from './features/members/routes.js';
import { messagesRouter } from './features/messages/routes.js';
import { moderationRouter } from './features/moderation/routes.js';
import { roomsRouter } from './features/rooms/routes.js';
import { TableRateLimitStore } from './features/chat-tokens/token-limit-store.js';

export { BODY_LIMIT_BYTES } from './platform/http.js';
export { parseTokenRequest, type TokenRequest } from './features/chat-tokens/routes.js';

/** The static demo page, served from the same origin as the API when given. */
export interface SiteOptions {
  readonly dir: string;
  /** Served as GET /config.json. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Extra CSP connect-src entries (the emulator's ws:// URL). */
  readonly connectSources: readonly string[];
}

export type AppConfig = Pick<Config, 'allowAnonymous' | 'corsOrigins' | 'rateLimit' | 'trustProxy' | 'rooms'>;

export interface AppDeps {
  readonly ivs: IvschatClient;
  readonly table: Table;
  /** The region of the IVS rooms (room ids become ARNs with it). */
  readonly region: string;
  readonly verifier: TokenVerifier;
  readonly policy: ChatPolicy;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Local mode only: enables POST /v1/dev/login and GET /.well-known/jwks.json. */
  readonly devIdentity?: DevIdentityProvider;
  readonly site?: SiteOptions;
  /**
   * The hosting platform's ids for a request (Lambda: API Gateway's and Lambda's), so the service's
   * log lines join the access log and the function's own log. Without one, a well-formed inbound
   * X-Request-Id (from a proxy in front) or a fresh UUID is used.
   */
  readonly platformIds?: (req: express.Request) => PlatformIds | undefined;
  /** Budget of a request's upstream calls (default REQUEST_BUDGET_MS); tests make it short. */
  readonly requestBudgetMs?: number;
}

export interface PlatformIds {
  /** The id the platform's access log carries (API Gateway's `$context.requestId`). */
  readonly requestId: string;
  /** The function invocation's id (Lambda's awsRequestId), logged beside it. */
  readonly invocationId?: string;
}

// Letters, digits and the characters of UUIDs and base64 ids (API Gateway's end in '=').
const REQUEST_ID = /^[A-Za-z0-9_.+/=-]{1,64}$/;

/** Express/body-parser errors carry a `type` and `status`; anything else is a bug → 500. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const type: unknown = isRecord(error) || error instanceof Error ? Reflect.get(error, 'type') : undefined;
  switch (type) {
    case 'entity.too.large': {
      const limit: unknown =
        isRecord(error) || error instanceof Error ? Reflect.get(error, 'limit') : undefined;
      const bytes = typeof limit === 'number' ? limit : BODY_LIMIT_BYTES;
      return new HttpError(413, 'payload_too_large', `the body is larger than ${bytes} bytes`, {
        cause: error,
      });
    }
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

/**
 * The per-caller token limit: per user once authenticated, per IP (IPv6 /56) for anonymous callers.
 * Counted in the table (store/rate-limits.ts), so it holds across instances.
 */
function tokenLimits(config: AppConfig, table: Table, clock: () => number): RequestHandler[] {
  if (config.rateLimit.max <= 0) return [];
  const store = new TableRateLimitStore({ table, windowMs: config.rateLimit.windowMs, now: clock });
  return [
    rateLimit({
      windowMs: config.rateLimit.windowMs,
      limit: config.rateLimit.max,
      store,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // A table that is down fails the request with 503 (the token route needs the table anyway).
      passOnStoreError: false,
      keyGenerator: (req, res) => {
        const context = locals(res);
        return context.caller?.kind === 'user'
          ? `sub:${context.caller.sub}`
          : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
      },
      handler: (_req, _res, next) => {
        const seconds = Math.max(1, Math.ceil((store.window().end - clock()) / 1000));
        next(
          new HttpError(429, 'rate_limited', 'too many token requests; retry later', {
            headers: { 'Retry-After': String(seconds) },
          }),
        );
      },
    }),
  ];
}

export function createApp(deps: AppDeps): express.Express {
  const { ivs, table, region, verifier, policy, clock, logger, config, devIdentity, site, platformIds } =
    deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  // Request id first: every response, error or not, carries one; the access log never names the
  // caller (no user id, no token, no query string).
  app.use((req, res, next) => {
    const platform = platformIds?.(req);
    const inbound = req.get('x-request-id');
    const requestId =
      platform?.requestId ?? (inbound !== undefined && REQUEST_ID.test(inbound) ? inbound : randomUUID());
    const invocation = platform?.invocationId === undefined ? {} : { awsRequestId: platform.invocationId };
    startContext(res, requestId);
    res.set('X-Request-Id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const route: unknown = req.route;
      const path = isRecord(route) && typeof route.path === 'string' ? route.path : undefined;
      logger.info('request', {
        requestId,
        ...invocation,
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
      methods: [...CORS_METHODS],
      allowedHeaders: [...CORS_ALLOWED_HEADERS],
      exposedHeaders: [...CORS_EXPOSED_HEADERS],
      maxAge: CORS_MAX_AGE_SECONDS,
    }),
  );

  app.use(rejectDuplicateHeaders, requireUtf8Body);

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
  if (devIdentity) app.use(devLoginRouter(devIdentity));

  const authFailures = createAuthFailureGuard(
    {
      ...DEFAULT_AUTH_FAILURE_LIMIT,
      max: config.rateLimit.authFailuresMax ?? DEFAULT_AUTH_FAILURE_LIMIT.max,
    },
    clock,
  );
  const authenticate = authenticator(verifier, config.allowAnonymous, authFailures, deps.requestBudgetMs);
  const directory = { ivs, table, rooms: config.rooms, region, logger, clock };
  app.use(
    chatTokensRouter({
      ivs,
      table,
      policy,
      logger,
      clock,
      authenticate,
      limits: tokenLimits(config, table, clock),
    }),
  );
  app.use(roomsRouter({ ...directory, policy, authenticate }));
  app.use(membersRouter({ ...directory, policy, authenticate }));
  app.use(moderationRouter({ ...directory, policy, authenticate }));
  app.use(messagesRouter({ ...directory, policy, authenticate }));

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
    const requestId = requestIdOf(res) ?? randomUUID();
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
          ...(problem.expose ? problem.extensions : {}),
          code: problem.code,
          requestId,
        }),
      );
  };
  app.use(onError);
  return app;
}
