/**
 * The Lambda's environment, read once at load. Never throws: Lambda would turn a throw at load into
 * an init error on every invoke, which IVS treats like no answer at all. A problem is kept and every
 * invocation then answers the fallback and logs it.
 */
import { readFileSync } from 'node:fs';
import { FALLBACK_RESULTS, IVS_LIMITS, type FallbackResult } from '../../shared/ivs/limits.js';
import { LOG_LEVELS, type LogLevel } from '../../shared/logger.js';
import { compilePolicy, type CompiledPolicy } from './policy.js';

export const DEFAULT_BUDGET_MS = 150;
/** HELD_MESSAGE_HOURS: how long a held message waits for a moderator's decision. */
export const HELD_MESSAGE_HOURS = { min: 1, max: 720, default: 24 } as const;

export interface ReviewConfig {
  readonly policy: CompiledPolicy | undefined;
  readonly fallbackResult: FallbackResult;
  readonly budgetMs: number;
  readonly logLevel: LogLevel;
  readonly heldMessageHours: number;
  /** Configuration problems: when any, every invocation answers `fallbackResult`. */
  readonly problems: readonly string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * FALLBACK_RESULT: ALLOW (default) or DENY, case-insensitive. Any other value is a problem and reads
 * as DENY: the operator asked for something explicit, and DENY is the reading that cannot deliver
 * content they meant to stop.
 */
function fallbackResult(value: string | undefined, problems: string[]): FallbackResult {
  if (value === undefined || value.trim() === '') return 'ALLOW';
  const found = FALLBACK_RESULTS.find((result) => result === value.trim().toUpperCase());
  if (found) return found;
  problems.push(`FALLBACK_RESULT must be ALLOW or DENY; got "${value}" (reading DENY)`);
  return 'DENY';
}

/** REVIEW_BUDGET_MS: 1–199; IVS's review timeout is 200 ms including cold start, not adjustable. */
function budget(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return DEFAULT_BUDGET_MS;
  const parsed = Number(value);
  if (Number.isInteger(parsed) && parsed >= 1 && parsed < IVS_LIMITS.reviewTimeoutMs) return parsed;
  problems.push(
    `REVIEW_BUDGET_MS must be an integer from 1 to ${IVS_LIMITS.reviewTimeoutMs - 1}; got "${value}"`,
  );
  return DEFAULT_BUDGET_MS;
}

function logLevel(value: string | undefined, warnings: string[]): LogLevel {
  if (value === undefined || value.trim() === '') return 'info';
  const found = LOG_LEVELS.find((level) => level === value.trim().toLowerCase());
  if (found) return found;
  // A bad log level must not switch moderation off: it only costs detail in the logs.
  warnings.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${value}" (using info)`);
  return 'info';
}

function heldMessageHours(value: string | undefined, warnings: string[]): number {
  if (value === undefined || value.trim() === '') return HELD_MESSAGE_HOURS.default;
  const parsed = Number(value);
  if (Number.isInteger(parsed) && parsed >= HELD_MESSAGE_HOURS.min && parsed <= HELD_MESSAGE_HOURS.max) {
    return parsed;
  }
  // Like a bad log level, a bad expiry must not switch moderation off: it only changes how long held
  // messages wait.
  warnings.push(
    `HELD_MESSAGE_HOURS must be an integer from ${HELD_MESSAGE_HOURS.min} to ${HELD_MESSAGE_HOURS.max}; got "${value}" (using ${HELD_MESSAGE_HOURS.default})`,
  );
  return HELD_MESSAGE_HOURS.default;
}

function policyInput(env: Environment, readFile: (path: string) => string, problems: string[]): unknown {
  const inline = env.REVIEW_POLICY?.trim() ?? '';
  const file = env.REVIEW_POLICY_FILE?.trim() ?? '';
  if (inline !== '' && file !== '') {
    problems.push('set REVIEW_POLICY or REVIEW_POLICY_FILE, not both');
    return undefined;
  }
  let text: string;
  let source: string;
  if (inline !== '') {
    text = inline;
    source = 'REVIEW_POLICY';
  } else if (file !== '') {
    source = 'REVIEW_POLICY_FILE';
    try {
      text = readFile(file);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      problems.push(`REVIEW_POLICY_FILE cannot be read (${code})`);
      return undefined;
    }
  } else {
    return {};
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    problems.push(`${source} is not valid JSON`);
    return undefined;
  }
}

export interface LoadedConfig extends ReviewConfig {
  /** Problems that do not stop the rules (e.g. a bad LOG_LEVEL). */
  readonly warnings: readonly string[];
}

export function loadConfig(
  env: Environment,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const result = fallbackResult(env.FALLBACK_RESULT, problems);
  const budgetMs = budget(env.REVIEW_BUDGET_MS, problems);
  const level = logLevel(env.LOG_LEVEL, warnings);
  const heldHours = heldMessageHours(env.HELD_MESSAGE_HOURS, warnings);
  let policy: CompiledPolicy | undefined;
  try {
    const input = policyInput(env, readFile, problems);
    if (input !== undefined) {
      const compiled = compilePolicy(input);
      if (compiled.ok) policy = compiled.value;
      else problems.push(`review policy: ${compiled.problem}`);
    }
  } catch (error) {
    problems.push(
      `review policy could not be compiled: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    policy,
    fallbackResult: result,
    budgetMs,
    logLevel: level,
    heldMessageHours: heldHours,
    problems,
    warnings,
  };
}
