/**
 * The access sweeper's environment, read once at load through the shared helper. Never throws at
 * load: a problem is kept, logged once, and every invocation then fails with it (the function's
 * Errors alarm shows it).
 */
import { integer, logLevel, readEnv, text, type Env } from '../../shared/config/env.js';
import type { LogLevel } from '../../shared/logger.js';

export const ENVIRONMENT = {
  CHAT_TABLE: text(),
  /** Seconds between sweeps within one invocation (the longest a reconnect stays open, plus a sweep). */
  SWEEP_INTERVAL_SECONDS: integer(10, 1, 30),
  /** DisconnectUser calls per second, at most: IVS allows 100 TPS, shared with moderation. */
  REVOCATION_DISCONNECT_TPS: integer(20, 1, 90),
  /** A room tagged as the service's with no record this long after its creation is finished off. */
  ORPHAN_ROOM_MINUTES: integer(10, 1, 1440),
  /** The stack's tag value: only rooms carrying it are this stack's to finish off (none: any). */
  ROOM_STACK_TAG: text(),
  LOG_LEVEL: logLevel({ lenient: true }),
} as const;

export interface SweeperConfig {
  readonly tableName: string;
  readonly intervalSeconds: number;
  readonly disconnectTps: number;
  readonly orphanAgeMinutes: number;
  readonly stackTag: string | undefined;
  readonly logLevel: LogLevel;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

export function loadConfig(env: Env): SweeperConfig {
  const { values, problems, warnings } = readEnv(env, ENVIRONMENT);
  if (values.CHAT_TABLE === undefined) problems.push('CHAT_TABLE is required (the name of the chat table)');
  return {
    tableName: values.CHAT_TABLE ?? '',
    intervalSeconds: values.SWEEP_INTERVAL_SECONDS,
    disconnectTps: values.REVOCATION_DISCONNECT_TPS,
    orphanAgeMinutes: values.ORPHAN_ROOM_MINUTES,
    stackTag: values.ROOM_STACK_TAG,
    logLevel: values.LOG_LEVEL,
    problems,
    warnings,
  };
}
