/**
 * The token-vending Express app, built from injected parts so tests, the process entry and the Lambda
 * entry all run the same code (`createApp(deps)`; another file calls listen). It only assembles: the
 * platform (request ids and the access log, security headers, CORS, body checks, problem+json), the
 * features' routes (each declared once with its schemas), and the OpenAPI document made from them.
 */
import cors from 'cors';
import express, { type Request } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from '../../shared/logger.js';
import type { ChatPolicy } from './access/chat-policy.js';
import { authenticator } from './auth/authenticate.js';
import { createFailedSignIns, DEFAULT_AUTH_FAILURE_LIMIT } from './auth/failed-sign-ins.js';
import type { TokenVerifier } from './auth/verifier.js';
import type { Config } from './config.js';
import { chatTokenRoutes } from './features/chat-tokens/routes.js';
import { TableRateLimitStore } from './features/chat-tokens/token-limit-store.js';
import { Admission } from './features/chat-tokens/admission.js';
import { tablePace, tableSchedule, tableTicketKey } from './features/chat-tokens/admission-store.js';
import { batchedBookings } from './features/chat-tokens/booking-batches.js';
import { appBanRoutes } from './features/app-bans/routes.js';
import { devLoginRoutes } from './features/dev-login/routes.js';
import type { DevIdentityProvider } from './features/dev-login/identity.js';
import { heldRoutes } from './features/held/routes.js';
import { memberRoutes } from './features/members/routes.js';
import { messageRoutes } from './features/messages/routes.js';
import { moderationRoutes } from './features/moderation/routes.js';
import { roomRoutes } from './features/rooms/routes.js';
import { systemRoutes, type SiteOptions } from './features/system/routes.js';
import { openApiDocument } from './openapi/document.js';
import { accessLog, type PlatformIds } from './platform/access-log.js';
import { rejectDuplicateHeaders, requireUtf8Body } from './platform/body.js';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CORS_METHODS,
} from './platform/cors.js';
import type { ServiceDeps } from './platform/deps.js';
import { loopbackHostOnly } from './platform/local-host.js';
import { HttpError, problemHandler } from './platform/problem.js';
import { contextOf } from './platform/request-context.js';
import { routerFor, type Route } from './platform/route.js';
import type { Table } from '../../shared/table/client.js';
import type { IvschatClient } from '@aws-sdk/client-ivschat';

export type { SiteOptions } from './features/system/routes.js';
export type { PlatformIds } from './platform/access-log.js';

export type AppConfig = Pick<
  Config,
  'allowAnonymous' | 'corsOrigins' | 'rateLimit' | 'trustProxy' | 'rooms'
> &
  // Absent (apps built in tests): admission off.
  Partial<Pick<Config, 'admission'>>;

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
  /** Local mode on loopback: refuse requests naming another host (DNS rebinding; platform/local-host.ts). */
  readonly loopbackOnly?: boolean;
  readonly site?: SiteOptions;
  /** The hosting platform's ids for a request (Lambda: API Gateway's and Lambda's). */
  readonly platformIds?: (req: Request) => PlatformIds | undefined;
  /** Budget of a request's upstream calls (default REQUEST_BUDGET_MS); tests make it short. */
  readonly requestBudgetMs?: number;
  /** Check every answer against its declared schema (tests). */
  readonly validateResponses?: boolean;
}

/**
 * The per-caller token limit: per user once authenticated, per IP (IPv6 /56) for anonymous callers.
 * Counted in the table (features/chat-tokens/token-limit-store.ts), so it holds across instances.
 */
function tokenLimits(config: AppConfig, table: Table, clock: () => number): express.RequestHandler[] {
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
        const caller = contextOf(res).caller;
        return caller?.kind === 'user' ? `sub:${caller.sub}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
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

/** Admission at IVS's CreateChatToken quota, shared through the table; none when TOKEN_ADMISSION_TPS is 0. */
function admissionFor(config: AppConfig, table: Table, clock: () => number): Admission | undefined {
  const tps = config.admission?.tps ?? 0;
  if (tps <= 0) return undefined;
  return new Admission({
    tps,
    // An instance's bookings made together share a write (booking-batches.ts).
    schedule: batchedBookings(tableSchedule(table), clock),
    pace: batchedBookings(tablePace(table), clock),
    ticketKey: tableTicketKey(table),
    clock,
  });
}

/** Every route the app serves, in the order it matches them (also what the OpenAPI document lists). */
export function routesOf(deps: AppDeps, openApi: () => unknown): Route[] {
  const { config } = deps;
  const service: ServiceDeps = {
    ivs: deps.ivs,
    table: deps.table,
    region: deps.region,
    rooms: config.rooms,
    policy: deps.policy,
    clock: deps.clock,
    logger: deps.logger,
  };
  return [
    ...systemRoutes(service, { openApi, site: deps.site }),
    ...(deps.devIdentity ? devLoginRoutes(deps.devIdentity) : []),
    ...chatTokenRoutes({
      ...service,
      allowAnonymous: config.allowAnonymous,
      limits: tokenLimits(config, deps.table, deps.clock),
      admission: admissionFor(config, deps.table, deps.clock),
    }),
    ...roomRoutes(service),
    ...memberRoutes(service),
    ...moderationRoutes(service),
    ...heldRoutes(service),
    ...appBanRoutes(service),
    ...messageRoutes(service),
  ];
}

export function createApp(deps: AppDeps): express.Express {
  const { config, logger, site } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  app.use(accessLog(logger, deps.platformIds));
  if (deps.loopbackOnly === true) app.use(loopbackHostOnly);
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
  const corsAll = config.corsOrigins.includes('*');
  const corsOptions = {
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
  };
  app.use(
    cors((req, callback) => {
      const origin = req.headers.origin;
      const allowed = origin === undefined || corsAll || config.corsOrigins.includes(origin);
      // A browser on an origin not listed gets a bare CORS error: say so here, where it can be fixed.
      // Not for the page this service serves itself: browsers send Origin on its POSTs too, and a
      // same-origin request needs no CORS.
      if (!allowed && origin !== `${req.protocol}://${req.headers.host ?? ''}`) {
        logger.warn('CORS: origin not in CORS_ORIGINS; the browser will refuse the answer', {
          origin: origin.slice(0, 100),
        });
      }
      callback(null, { ...corsOptions, origin: corsAll ? '*' : allowed });
    }),
  );
  app.use(rejectDuplicateHeaders, requireUtf8Body);

  const failedSignIns = createFailedSignIns(
    {
      ...DEFAULT_AUTH_FAILURE_LIMIT,
      max: config.rateLimit.authFailuresMax ?? DEFAULT_AUTH_FAILURE_LIMIT.max,
    },
    deps.clock,
  );
  const authenticate = authenticator(
    deps.verifier,
    config.allowAnonymous,
    failedSignIns,
    deps.requestBudgetMs,
  );
  // The document describes the routes, and is served by one of them: made once, on first request.
  let document: unknown;
  const routes = routesOf(
    deps,
    () => (document ??= openApiDocument(routes, { allowAnonymous: config.allowAnonymous })),
  );
  app.use(routerFor(routes, { authenticate, validateResponses: deps.validateResponses ?? false }));

  if (site) app.use(express.static(site.dir, { index: 'index.html', fallthrough: true }));
  app.use(() => {
    throw new HttpError(404, 'not_found', 'no such route');
  });
  app.use(problemHandler(logger));
  return app;
}
