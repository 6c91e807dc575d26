/**
 * Lambda entry for the IVS Chat message review handler (IVS Chat User Guide, chat message review handler): IVS invokes it for every
 * SendMessage in a room it is attached to, and applies its answer. Configuration is read once at load
 * and never throws (a throw at load is an init error on every invoke); problems make every invocation
 * answer FALLBACK_RESULT and are logged here once and again with each fallback.
 */
import { createLogger } from '../../shared/logger.js';
import { loadConfig } from './config.js';
import { createReviewHandler } from './review-handler.js';
import { standingCheckFromEnv } from './sender-standing.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, base: { service: 'message-review' } });
for (const warning of config.warnings) logger.warn('review configuration', { problem: warning });
if (config.problems.length > 0) {
  logger.error('review configuration is invalid: every message gets FALLBACK_RESULT', {
    problems: config.problems,
    fallbackResult: config.fallbackResult,
  });
}

const standing = standingCheckFromEnv(process.env);

/** `handler(event, context)`: two parameters, as nodejs22.x/24.x expect of an async handler. */
export const handler = createReviewHandler(
  standing === undefined ? { config, logger } : { config, logger, standing },
);
