/**
 * Lambda entry of the chat-history function: a CloudWatch Logs subscription filter on the rooms' chat
 * log group invokes it (asynchronously) with batches of chat log records, and it keeps each room's
 * recent messages in the chat table for `GET /v1/rooms/{roomId}/messages`. Locally the emulator's chat
 * log feeds the same handler with the same event shape.
 *
 * Environment: CHAT_TABLE (required), HISTORY_RETENTION_DAYS (1–365, default 7), LOG_LEVEL; the
 * standard AWS_ENDPOINT_URL_DYNAMODB points the SDK at another endpoint (dynalite locally).
 */
import { createLogger } from '../../shared/logger.js';
import { createTableClient } from '../../shared/table/client.js';
import { traceClients } from '../../shared/aws/tracing.js';
import { loadConfig } from './config.js';
import { createHistoryHandler } from './history-handler.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, base: { service: 'chat-history' } });
for (const warning of config.warnings) logger.warn('chat history configuration', { problem: warning });
if (config.problems.length > 0) {
  logger.error('chat history configuration is invalid: every invocation fails', {
    problems: config.problems,
  });
}

// Built once per container, reused by every invocation (connections kept alive).
const table = {
  name: config.tableName,
  client: createTableClient({ region: process.env.AWS_REGION, maxAttempts: 3, requestTimeoutMs: 3000 }),
};
// Each DynamoDB call as a subsegment of the function's X-Ray trace (on only in Lambda).
traceClients('chat-history', [table.client]);

/** `handler(event, context)`: two parameters, as nodejs22.x/24.x expect of an async handler. */
export const handler = createHistoryHandler({ config, table, logger });
