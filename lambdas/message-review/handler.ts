/**
 * Lambda entry for the IVS Chat message review handler (IVS Chat User Guide, chat message review handler): IVS invokes it for every
 * SendMessage in a room it is attached to, and applies its answer. Configuration is read once at load
 * and never throws (a throw at load is an init error on every invoke); problems make every invocation
 * answer FALLBACK_RESULT and are logged here once and again with each fallback.
 */
import { createLogger } from '../../shared/logger.js';
import { loadConfig } from './config.js';
import { createReviewHandler } from './review-handler.js';
import { applyRules } from './rules.js';
import { reviewTableFromEnv } from './sender-standing.js';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, base: { service: 'message-review' } });
for (const warning of config.warnings) logger.warn('review configuration', { problem: warning });
if (config.problems.length > 0) {
  logger.error('review configuration is invalid: every message gets FALLBACK_RESULT', {
    problems: config.problems,
    fallbackResult: config.fallbackResult,
  });
}

// Bans, timeouts and the room's modes: one client for the standing read and the modes' writes.
const table = reviewTableFromEnv(process.env, { heldMessageHours: config.heldMessageHours });

/**
 * Texts that take each rule's path (plain text, personal data, links, look-alikes and evasions), run
 * through the rules once at init: V8 compiles a function or a regular expression the first time it
 * runs, and a fresh runtime paid for that inside its first messages' budget (40-135 ms a path on a
 * loaded 2-core machine, against well under 1 ms after). Only the rules: nothing is logged or counted.
 */
const WARM_UP_TEXTS = [
  'Hello there, how is everyone doing today?',
  'write to ann@example.com or call +1 555 010 0100',
  'see https://example.com/a?b=c and www.example.org',
  'what a d4rn g00d strеam, ｆｕｌｌ width and s p a c e d',
];
if (config.policy && config.problems.length === 0) {
  for (const text of WARM_UP_TEXTS) {
    try {
      applyRules(config.policy, text);
    } catch {
      // A rule that throws here throws on a message too, where the handler answers the fallback.
    }
  }
}

/** `handler(event, context)`: two parameters, as nodejs22.x/24.x expect of an async handler. */
export const handler = createReviewHandler(
  table === undefined ? { config, logger } : { config, logger, standing: table.standing, modes: table.modes },
);
