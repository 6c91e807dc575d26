/**
 * The Lambda's environment, read once at load. Never throws: Lambda would turn a throw at load into
 * an init error on every invoke, which IVS treats like no answer at all. A problem is kept and every
 * invocation then answers the fallback and logs it.
 */
import { readFileSync } from 'node:fs';
import { FALLBACK_RESULTS, IVS_LIMITS, type FallbackResult } from '../../shared/ivs/limits.js';
import { integer, logLevel, oneOf, readEnv, text, type Env } from '../../shared/config/env.js';
import type { LogLevel } from '../../shared/logger.js';
import { compilePolicy, type CompiledPolicy } from './policy.js';

export const DEFAULT_BUDGET_MS = 150;

export interface ReviewConfig {
  readonly policy: CompiledPolicy | undefined;
  readonly fallbackResult: FallbackResult;
  readonly budgetMs: number;
  readonly logLevel: LogLevel;
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
  /** 1–199: IVS's review timeout is 200 ms including cold start, not adjustable. */
  REVIEW_BUDGET_MS: integer(DEFAULT_BUDGET_MS, 1, IVS_LIMITS.reviewTimeoutMs - 1),
  /** A bad log level must not switch moderation off: it only costs detail in the logs. */
  LOG_LEVEL: logLevel({ lenient: true }),
  REVIEW_POLICY: text(),
  REVIEW_POLICY_FILE: text(),
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
    budgetMs: values.REVIEW_BUDGET_MS,
    logLevel: values.LOG_LEVEL,
    problems,
    warnings,
  };
}
