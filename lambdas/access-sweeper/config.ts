/**
 * The access sweeper's environment, read once at load. Never throws at load: a problem is kept,
 * logged once, and every invocation then fails with it (the function's Errors alarm shows it).
 */
import { LOG_LEVELS, type LogLevel } from '../../shared/logger.js';

export interface SweeperConfig {
  readonly tableName: string;
  /** Seconds between sweeps within one invocation (the longest a reconnect stays open, plus a sweep). */
  readonly intervalSeconds: number;
  /** DisconnectUser calls per second, at most: IVS allows 100 TPS, shared with moderation. */
  readonly disconnectTps: number;
  /** A room tagged as the service's with no record this long after its creation is finished off. */
  readonly orphanAgeMinutes: number;
  readonly logLevel: LogLevel;
  readonly problems: readonly string[];
}

type Environment = Readonly<Record<string, string | undefined>>;

function integer(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (/^\d+$/.test(text) && value >= min && value <= max) return value;
  problems.push(`${name} must be an integer from ${min} to ${max}; got "${text}"`);
  return fallback;
}

export function loadConfig(env: Environment): SweeperConfig {
  const problems: string[] = [];
  const tableName = env.CHAT_TABLE?.trim() ?? '';
  if (tableName === '') problems.push('CHAT_TABLE is required (the name of the chat table)');
  const level = env.LOG_LEVEL?.trim().toLowerCase();
  return {
    tableName,
    intervalSeconds: integer(env, 'SWEEP_INTERVAL_SECONDS', 10, 1, 30, problems),
    disconnectTps: integer(env, 'REVOCATION_DISCONNECT_TPS', 20, 1, 90, problems),
    orphanAgeMinutes: integer(env, 'ORPHAN_ROOM_MINUTES', 10, 1, 1440, problems),
    logLevel: LOG_LEVELS.find((candidate) => candidate === level) ?? 'info',
    problems,
  };
}
