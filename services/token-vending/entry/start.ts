/**
 * Starts the token service as a process-hosted HTTP server: reads and validates configuration,
 * builds the IVS client, the verifier and (local mode) the dev identity provider, listens, and
 * returns the URL and a draining close(). Used by server.ts, the local stack, e2e tests and benches.
 */
import { createServer, type Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { createLogger, type Logger } from '../../../shared/logger.js';
import { createApp, type SiteOptions } from '../app.js';
import { createJwtVerifier } from '../auth/verifier.js';
import { LOCAL_AUDIENCE, loadConfig } from '../config.js';
import { createDevIdentityProvider } from '../features/dev-login/identity.js';
import { ConfigError } from '../platform/problem.js';
import { createIvsClient } from '../platform/ivs-client.js';
import { primeTokenPath } from '../features/chat-tokens/priming.js';
import { createTableClient, type Table } from '../../../shared/table/client.js';
import { isLoopbackHost } from '../../../shared/loopback.js';

export type { SiteOptions } from '../app.js';

/** Stops accepting connections without closing idle ones (http's close() also closes those). */
function stopAccepting(server: Server, onClosed: () => void): void {
  NetServer.prototype.close.call(server, onClosed);
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly port?: number;
  readonly host?: string;
  readonly site?: SiteOptions;
  readonly logger?: Logger;
  /** How long close() lets in-flight requests finish before cutting connections. */
  readonly drainTimeoutMs?: number;
  /**
   * How long close() keeps idle keep-alive connections open (default 0: closed at once). A client or
   * load balancer may already have sent a request on one as the drain starts; within this grace it is
   * served, answered with `Connection: close`. server.ts, the container's entry, sets 1 s.
   */
  readonly keepAliveGraceMs?: number;
}

export interface RunningService {
  readonly url: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Where this process can reach itself (a wildcard bind is reachable on loopback). */
function selfHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startTokenService(options: StartOptions = {}): Promise<RunningService> {
  const config = loadConfig(options.env ?? process.env);
  const logger =
    options.logger ?? createLogger({ level: config.logLevel, base: { service: 'token-vending' } });
  const ivs = createIvsClient(config.ivs);
  let region: string;
  try {
    region = await ivs.config.region();
  } catch {
    ivs.destroy();
    throw new ConfigError(
      'invalid configuration:\n  - AWS_REGION must be set (no region could be resolved for IVS Chat)',
    );
  }

  const table: Table = { name: config.table.name, client: createTableClient({ ...config.table, region }) };
  const server = createServer({ keepAliveTimeout: 5000 });
  const host = options.host ?? config.host;
  let port: number;
  try {
    port = await listen(server, options.port ?? config.port, host);
  } catch (error) {
    ivs.destroy();
    table.client.destroy();
    throw error;
  }
  const url = `http://${selfHost(host)}:${port}`;

  // Local mode: the service is its own identity provider, and its tokens go through the very same
  // JWKS-over-HTTP verification as an external IdP's.
  const issuer = config.auth.issuer ?? url;
  const audience = config.auth.audience ?? LOCAL_AUDIENCE;
  const jwksUri = config.auth.jwksUri ?? `${url}/.well-known/jwks.json`;
  const devIdentity = config.devLogin
    ? createDevIdentityProvider({
        issuer,
        audience,
        rolesClaim: config.auth.rolesClaim,
        nameClaim: config.auth.nameClaim,
      })
    : undefined;
  const verifier = createJwtVerifier({
    jwksUri,
    issuer,
    audience,
    rolesClaim: config.auth.rolesClaim,
    logger,
  });
  const app = createApp({
    ivs,
    table,
    region,
    verifier,
    policy: config.policy,
    clock: Date.now,
    logger,
    config,
    ...(devIdentity ? { devIdentity, loopbackOnly: isLoopbackHost(host) } : {}),
    ...(options.site ? { site: options.site } : {}),
  });
  let draining = false;
  // While draining, each answer ends its connection, so no client sends another request on it.
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('Connection', 'close');
  });
  server.on('request', app);
  // Before the service says it listens (the local stack and tests wait for that line): in local mode
  // the key set comes from this server, so it primes once it answers.
  await primeTokenPath({ table, ivs, verifier });
  logger.info('token service listening', { url, backend: config.backend, devLogin: config.devLogin });
  if (config.devLogin && !isLoopbackHost(host)) {
    // Anyone who reaches the dev login can mint any identity, moderator included.
    logger.warn('dev login is reachable beyond this machine; use CHAT_BACKEND=aws outside development', {
      host,
    });
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      draining = true;
      let idle: NodeJS.Timeout | undefined;
      // Close keep-alive connections as they go idle (http's close() closes those idle now).
      const closeIdle = (): void => {
        server.close();
        idle = setInterval(() => {
          server.closeIdleConnections();
        }, 50);
      };
      const grace = setTimeout(closeIdle, options.keepAliveGraceMs ?? 0);
      const deadline = setTimeout(() => {
        server.closeAllConnections();
      }, options.drainTimeoutMs ?? 10_000);
      // Stop accepting connections, but leave open ones alone for the grace (net's close, not http's,
      // which would close the idle ones at once); called back when the last connection has ended.
      stopAccepting(server, () => {
        clearTimeout(grace);
        clearInterval(idle);
        clearTimeout(deadline);
        ivs.destroy();
        table.client.destroy();
        resolve();
      });
    });
    return closing;
  };
  return { url, close };
}
