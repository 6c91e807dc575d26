/**
 * Lambda entry for API Gateway HTTP API (payload 2.0) through serverless-http. Configuration, the IVS
 * client and the verifier are built once per container, at module scope; a bad configuration fails
 * the init, loudly. In Lambda there is no dev login (no stable own URL, a key per container), so
 * AUTH_JWKS_URI, AUTH_ISSUER and AUTH_AUDIENCE are required in either backend mode, and so is
 * CHAT_TABLE.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import serverless from 'serverless-http';
import { createLogger } from '../../../shared/logger.js';
import { createApp, type PlatformIds } from '../app.js';
import { createJwtVerifier } from '../auth/verifier.js';
import { loadConfig } from '../config.js';
import { createIvsClient } from '../platform/ivs-client.js';
import { primeTokenPath } from '../features/chat-tokens/priming.js';
import { createTableClient } from '../../../shared/table/client.js';
import { traceClients } from '../../../shared/aws/tracing.js';
import { isRecord } from '../../../shared/json.js';

const config = loadConfig(process.env, { runtime: 'lambda' });
const logger = createLogger({ level: config.logLevel, base: { service: 'token-vending' } });
const { jwksUri, issuer, audience, rolesClaim } = config.auth;
if (jwksUri === undefined || issuer === undefined || audience === undefined) {
  // loadConfig already refuses this in Lambda; the check narrows the types.
  throw new Error('AUTH_JWKS_URI, AUTH_ISSUER and AUTH_AUDIENCE must be set');
}
// Lambda always sets AWS_REGION; loadConfig reads it.
const region = config.ivs.region ?? process.env.AWS_REGION ?? 'us-east-1';
/**
 * serverless-http hangs the event's requestContext and the Lambda context on the request. API
 * Gateway's requestId is what the access log prints as `$context.requestId`; Lambda's awsRequestId is
 * what the function's log and the access log's `$context.integration.requestId` carry.
 */
function platformIds(req: unknown): PlatformIds | undefined {
  if (!isRecord(req)) return undefined;
  const requestContext = req.requestContext;
  const gateway = req.apiGateway;
  const requestId = isRecord(requestContext) ? requestContext.requestId : undefined;
  const lambdaContext = isRecord(gateway) ? gateway.context : undefined;
  const invocationId = isRecord(lambdaContext) ? lambdaContext.awsRequestId : undefined;
  if (typeof requestId !== 'string' || requestId === '' || requestId.length > 128) return undefined;
  return typeof invocationId === 'string' ? { requestId, invocationId } : { requestId };
}

const ivs = createIvsClient(config.ivs);
const tableClient = createTableClient({ ...config.table, region });
const table = { name: config.table.name, client: tableClient };
const verifier = createJwtVerifier({ jwksUri, issuer, audience, rolesClaim, logger });
// Started at init (the init phase runs at full CPU; with provisioned concurrency it is done before
// the first request) and not awaited: a first request joins the key set's fetch if it is still
// coming. Its calls are sent before the clients are traced: outside a request there is no trace.
void primeTokenPath({ table, ivs, verifier });
// Each IVS and DynamoDB call as a subsegment of the function's X-Ray trace (on only in Lambda).
traceClients('token-vending', [ivs, tableClient]);
const app = createApp({
  ivs,
  table,
  region,
  verifier,
  policy: config.policy,
  clock: Date.now,
  logger,
  config,
  platformIds,
});
const serve = serverless(app);

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<unknown> {
  return serve(event, context);
}
