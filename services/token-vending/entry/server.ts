/**
 * Process entry: `tsx services/token-vending/entry/server.ts`. Starts the service from the environment,
 * prints its URL, drains on SIGTERM/SIGINT, and exits non-zero with a clear message on bad config.
 */
import { ConfigError } from '../platform/problem.js';
import { startTokenService } from './start.js';

try {
  // A second's grace for requests a load balancer sent on an idle keep-alive connection at the signal.
  const service = await startTokenService({ env: process.env, keepAliveGraceMs: 1000 });
  console.log(`token service: ${service.url}`);
  const stop = (signal: string): void => {
    console.log(`${signal}: draining in-flight requests`);
    const started = performance.now();
    service.close().then(
      () => {
        console.log(`drained in ${Math.round(performance.now() - started)} ms`);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof ConfigError) console.error(`token service not started: ${error.message}`);
  else console.error('token service not started:', error instanceof Error ? error.message : error);
  process.exit(1);
}
