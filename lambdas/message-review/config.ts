/**
 * The Lambda's environment, read once at load. Never throws: Lambda would turn a throw at load into
 * an init error on every invoke, which IVS treats like no answer at all. A problem is kept and every
 * invocation then answers the fallback and logs it.
 */
import { readFileSync } from 'node:fs';
import { FALLBACK_RESULTS, IVS_LIMITS, type FallbackResult } from '../../shared/ivs/limits.js';
import { integer, logLevel, oneOf, readEnv, text, type Env, type Variable } from '../../shared/config/env.js';
import { HELD_MESSAGE_HOURS } from '../../shared/table/held.js';
import type { LogLevel } from '../../shared/logger.js';
import { compilePolicy, type CompiledPolicy } from './policy.js';

export const DEFAULT_BUDGET_MS = 150;
/** The longest REVIEW_TIMEOUT_MS a stand-in may state (the emulator's deadlines are far below it). */
const MAX_TIMEOUT_MS = 60_000;

/** A variable whose refused value is a warning that stops nothing (the review goes on). */
function lenient<T>(variable: Variable<T>): Variable<T> {
  return {
    read(text, name) {
      const reading = variable.read(text, name);
      return reading.ok ? reading : { ...reading, warning: true };
    },
  };
}

export interface ReviewConfig {
  readonly policy: CompiledPolicy | undefined;
  readonly fallbackResult: FallbackResult;
  readonly budgetMs: number;
  readonly logLevel: LogLevel;
  /** HELD_MESSAGE_HOURS: how long a held message waits for a moderator's decision. */
  readonly heldMessageHours: number;
  /** Configuration problems: when any, every invocation answers `fallbackResult`. */
  readonly problems: readonly string[];
}

export type Environment = Env;

/** Every variable the review function reads (its policy is REVIEW_POLICY or REVIEW_POLICY_FILE). */
export const ENVIRONMENT = {
  /**
   * ALLOW (default) or DENY, case-insensitive. Any other value is a problem and reads as DENY: the
   * operator asked for something explicit, and DENY is the reading that cannot deliver content they
   * meant to stop.
   */
  FALLBACK_RESULT: oneOf(FALLBACK_RESULTS, 'ALLOW', { whenInvalid: 'DENY', upperCase: true }),
  /** Under REVIEW_TIMEOUT_MS: 1–199 in AWS, where IVS waits 200 ms including cold start (checked below). */
  REVIEW_BUDGET_MS: integer(DEFAULT_BUDGET_MS, 1, MAX_TIMEOUT_MS - 1),
  /**
   * How long the caller waits for an answer: IVS's 200 ms, not adjustable, so never set in AWS. Only a
   * stand-in for IVS that waits longer sets it: the local emulator passes its review deadline, so a
   * local stack given a long deadline (tests on a loaded machine) may give the review a long budget.
   */
  REVIEW_TIMEOUT_MS: integer(IVS_LIMITS.reviewTimeoutMs, 2, MAX_TIMEOUT_MS),
  /** A bad log level must not switch moderation off: it only costs detail in the logs. */
  LOG_LEVEL: logLevel({ lenient: true }),
  REVIEW_POLICY: text(),
  REVIEW_POLICY_FILE: text(),
  /**
   * Hours a held message waits for a moderator (shared with the token service). Like a bad log level,
   * a bad value must not switch moderation off: it only changes how long held messages wait.
   */
  HELD_MESSAGE_HOURS: lenient(
    integer(HELD_MESSAGE_HOURS.default, HELD_MESSAGE_HOURS.min, HELD_MESSAGE_HOURS.max),
  ),
} as const;

function policyInput(
  env: { readonly REVIEW_POLICY: string | undefined; readonly REVIEW_POLICY_FILE: string | undefined },
  readFile: (path: string) => string,
  problems: string[],
): unknown {
  const inline = env.REVIEW_POLICY ?? '';
  const file = env.REVIEW_POLICY_FILE ?? '';
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
  const { values, problems, warnings } = readEnv(env, ENVIRONMENT);
  let budgetMs = values.REVIEW_BUDGET_MS;
  if (budgetMs >= values.REVIEW_TIMEOUT_MS) {
    problems.push(
      `REVIEW_BUDGET_MS must be under the caller's timeout, ${String(values.REVIEW_TIMEOUT_MS)} ms ` +
        `(IVS's review timeout unless REVIEW_TIMEOUT_MS says otherwise); got ${String(budgetMs)}`,
    );
    budgetMs = Math.min(DEFAULT_BUDGET_MS, values.REVIEW_TIMEOUT_MS - 1);
  }
  let policy: CompiledPolicy | undefined;
  try {
    const input = policyInput(values, readFile, problems);
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
    fallbackResult: values.FALLBACK_RESULT,
    budgetMs,
    logLevel: values.LOG_LEVEL,
    heldMessageHours: values.HELD_MESSAGE_HOURS,
    problems,
    warnings,
  };
}
