/**
 * The chat-history Lambda's environment, read once at load. Never throws at load (the entry module
 * must import cleanly, e.g. for `sam local` and the template test): a problem is kept, logged once,
 * and every invocation then fails with it, so CloudWatch Logs' asynchronous invocation retries the
 * batch and the function's Errors metric shows the misconfiguration instead of records vanishing.
 */
import { LOG_LEVELS, type LogLevel } from '../../shared/logger.js';

export const DEFAULT_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 365;

export interface HistoryConfig {
  readonly tableName: string;
  readonly retentionDays: number;
  readonly logLevel: LogLevel;
  /** When any, every invocation fails with them. */
  readonly problems: readonly string[];
  /** Problems that do not stop the function (a bad LOG_LEVEL). */
  readonly warnings: readonly string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

function retention(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return DEFAULT_RETENTION_DAYS;
  const parsed = Number(value);
  if (Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_RETENTION_DAYS) return parsed;
  problems.push(`HISTORY_RETENTION_DAYS must be an integer from 1 to ${MAX_RETENTION_DAYS}; got "${value}"`);
  return DEFAULT_RETENTION_DAYS;
}

function logLevel(value: string | undefined, warnings: string[]): LogLevel {
  if (value === undefined || value.trim() === '') return 'info';
  const found = LOG_LEVELS.find((level) => level === value.trim().toLowerCase());
  if (found) return found;
  warnings.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${value}" (using info)`);
  return 'info';
}

export function loadConfig(env: Environment): HistoryConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const tableName = env.CHAT_TABLE?.trim() ?? '';
  if (tableName === '') problems.push('CHAT_TABLE is required (the name of the chat table)');
  return {
    tableName,
    retentionDays: retention(env.HISTORY_RETENTION_DAYS, problems),
    logLevel: logLevel(env.LOG_LEVEL, warnings),
    problems,
    warnings,
  };
}
