/**
 * Lambda entry for API Gateway HTTP API (payload 2.0) through serverless-http. Configuration, the IVS
 * client and the verifier are built once per container, at module scope; a bad configuration fails
 * the init, loudly. In Lambda there is no dev login (no stable own URL, a key per container), so
 * AUTH_JWKS_URI, AUTH_ISSUER and AUTH_AUDIENCE are required in either backend mode, and so is
 * CHAT_TABLE.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import serverless from 'serverless-http';
import { createLogger } from '../../shared/logger.js';
import { createApp } from './app.js';
import { createJwtVerifier } from './auth.js';
import { loadConfig } from './config.js';
import { createIvsClient } from './ivs.js';
import { createTableClient } from '../../shared/table/client.js';

const config = loadConfig(process.env, { runtime: 'lambda' });
const logger = createLogger({ level: config.logLevel, base: { service: 'token-vending' } });
const { jwksUri, issuer, audience, rolesClaim } = config.auth;
if (jwksUri === undefined || issuer === undefined || audience === undefined) {
  // loadConfig already refuses this in Lambda; the check narrows the types.
  throw new Error('AUTH_JWKS_URI, AUTH_ISSUER and AUTH_AUDIENCE must be set');
}
// Lambda always sets AWS_REGION; loadConfig reads it.
const region = config.ivs.region ?? process.env.AWS_REGION ?? 'us-east-1';
const app = createApp({
  ivs: createIvsClient(config.ivs),
  table: { name: config.table.name, client: createTableClient({ ...config.table, region }) },
  region,
  verifier: createJwtVerifier({ jwksUri, issuer, audience, rolesClaim }),
  policy: config.policy,
  clock: Date.now,
  logger,
  config,
});
const serve = serverless(app);

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<unknown> {
  return serve(event, context);
}
