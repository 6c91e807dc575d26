/**
 * The chat-history Lambda's environment, read once at load. Never throws at load (the entry module
 * must import cleanly, e.g. for `sam local` and the template test): a problem is kept, logged once,
 * and every invocation then fails with it, so CloudWatch Logs' asynchronous invocation retries the
 * batch and the function's Errors metric shows the misconfiguration instead of records vanishing.
 */
import { integer, logLevel, readEnv, text, type Env } from '../../shared/config/env.js';
import type { LogLevel } from '../../shared/logger.js';

export const DEFAULT_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 365;

export const ENVIRONMENT = {
  CHAT_TABLE: text(),
  HISTORY_RETENTION_DAYS: integer(DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS),
  LOG_LEVEL: logLevel({ lenient: true }),
} as const;

export interface HistoryConfig {
  readonly tableName: string;
  readonly retentionDays: number;
  readonly logLevel: LogLevel;
  /** When any, every invocation fails with them. */
  readonly problems: readonly string[];
  /** Problems that do not stop the function (a bad LOG_LEVEL). */
  readonly warnings: readonly string[];
}

export type Environment = Env;

export function loadConfig(env: Environment): HistoryConfig {
  const { values, problems, warnings } = readEnv(env, ENVIRONMENT);
  if (values.CHAT_TABLE === undefined) problems.push('CHAT_TABLE is required (the name of the chat table)');
  return {
    tableName: values.CHAT_TABLE ?? '',
    retentionDays: values.HISTORY_RETENTION_DAYS,
    logLevel: values.LOG_LEVEL,
    problems,
    warnings,
  };
}
