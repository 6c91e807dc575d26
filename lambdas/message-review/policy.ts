/**
 * The review policy (REVIEW_POLICY / REVIEW_POLICY_FILE): parsed from `unknown` JSON, every field
 * checked, unknown keys refused (a typo must not silently turn a rule off), defaults filled in, then
 * compiled once at cold start (the term matcher groups its terms then; it builds each branch of its
 * trie on first use).
 */
import { IVS_LIMITS } from '../../shared/ivs/limits.js';
import type { Parsed } from '../../shared/review/contract.js';
import { DEFAULT_BLOCKED_TERMS } from './default-terms.js';
import { foldTerm, TermMatcher } from './terms.js';

export const TERM_ACTIONS = ['DENY', 'MASK'] as const;
export type TermAction = (typeof TERM_ACTIONS)[number];
/** HOLD: a message with a link waits for a moderator, in rooms with `holdForReview` on (rules.ts). */
export const LINK_ACTIONS = ['ALLOW', 'DENY', 'MASK', 'HOLD'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface Policy {
  /** Terms in use: the policy's own `blockedTerms`, the default list, or both. */
  readonly blockedTerms: readonly string[];
  readonly blockedTermAction: TermAction;
  /**
   * Terms that make a message doubtful: matched as blocked terms are (evasions included), and held
   * for a moderator in rooms with `holdForReview` on; elsewhere they are as if not listed.
   */
  readonly holdTerms: readonly string[];
  readonly links: { readonly action: LinkAction; readonly allowedDomains: readonly string[] };
  readonly pii: { readonly email: boolean; readonly phone: boolean; readonly action: TermAction };
  readonly flood: {
    /** Longest allowed run of one character; 0 turns the check off. */
    readonly maxRepeatedCharacters: number;
    /** Largest allowed share of capitals among letters; 1 turns the check off. */
    readonly maxCapitalsShare: number;
    /** The capitals check applies from this many letters on. */
    readonly capitalsMinLetters: number;
  };
  /** Sender roles (`Sender.Attributes.role`, set by the token service) that skip the rules. */
  readonly trustedRoles: readonly string[];
  /** The room's maximumMessageLength: 1–500 code points (IVS Chat API reference and service quotas). */
  readonly maximumMessageLength: number;
  /** Whether answers carry the `ReviewRules` attribute naming the rules that fired. */
  readonly reportRules: boolean;
  /** Optional remote moderation endpoint, raced against the remaining budget. */
  readonly remoteCheck: { readonly url: string } | undefined;
}

export interface CompiledPolicy extends Policy {
  readonly matcher: TermMatcher;
  /** Over `holdTerms`: empty (size 0, never walked) unless the policy lists some. */
  readonly holdMatcher: TermMatcher;
}

export const DEFAULT_POLICY: Policy = {
  blockedTerms: DEFAULT_BLOCKED_TERMS,
  blockedTermAction: 'MASK',
  holdTerms: [],
  links: { action: 'DENY', allowedDomains: [] },
  pii: { email: false, phone: false, action: 'MASK' },
  flood: { maxRepeatedCharacters: 20, maxCapitalsShare: 0.8, capitalsMinLetters: 20 },
  trustedRoles: [],
  maximumMessageLength: IVS_LIMITS.maximumMessageLength.default,
  reportRules: false,
  remoteCheck: undefined,
};

const MAX_TERMS = 100_000;
const MAX_TERM_LENGTH = 200;

type Fields = Record<string, unknown>;

class PolicyProblem extends Error {
  override readonly name = 'PolicyProblem';
}

function record(value: unknown, field: string, keys: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyProblem(`${field} must be an object`);
  }
  const fields: Fields = { ...value };
  const unknown = Object.keys(fields).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new PolicyProblem(`${field} has unknown keys: ${unknown.join(', ')} (known: ${keys.join(', ')})`);
  }
  return fields;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new PolicyProblem(`${field} must be one of ${allowed.join(', ')}`);
  return found;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new PolicyProblem(`${field} must be true or false`);
  return value;
}

function number(
  value: unknown,
  field: string,
  min: number,
  max: number,
  fallback: number,
  integer = true,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new PolicyProblem(`${field} must be a number from ${min} to ${max}`);
  }
  if (integer && !Number.isInteger(value)) throw new PolicyProblem(`${field} must be an integer`);
  return value;
}

function strings(value: unknown, field: string, maxItems: number, maxLength: number): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > maxItems) {
    throw new PolicyProblem(`${field} must be a list of at most ${maxItems} strings`);
  }
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string' || item.trim().length === 0 || item.length > maxLength) {
      throw new PolicyProblem(
        `${field}[${index}] must be a non-empty string of at most ${maxLength} characters`,
      );
    }
    return item;
  });
}

const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/u;

function parse(input: unknown): Policy {
  const fields = record(input, 'policy', [
    'blockedTerms',
    'includeDefaultTerms',
    'allowedTerms',
    'blockedTermAction',
    'holdTerms',
    'links',
    'pii',
    'flood',
    'trustedRoles',
    'maximumMessageLength',
    'reportRules',
    'remoteCheck',
  ]);
  const own = strings(fields.blockedTerms, 'blockedTerms', MAX_TERMS, MAX_TERM_LENGTH);
  for (const [index, term] of (own ?? []).entries()) {
    if (!foldTerm(term)) throw new PolicyProblem(`blockedTerms[${index}] has no matchable characters`);
  }
  const hold = strings(fields.holdTerms, 'holdTerms', MAX_TERMS, MAX_TERM_LENGTH) ?? [];
  for (const [index, term] of hold.entries()) {
    if (!foldTerm(term)) throw new PolicyProblem(`holdTerms[${index}] has no matchable characters`);
  }
  const includeDefault = bool(fields.includeDefaultTerms, 'includeDefaultTerms', own === undefined);
  const allowed = new Set(
    (strings(fields.allowedTerms, 'allowedTerms', MAX_TERMS, MAX_TERM_LENGTH) ?? []).map((term) =>
      term.trim().toLowerCase(),
    ),
  );
  const blockedTerms = [...(includeDefault ? DEFAULT_BLOCKED_TERMS : []), ...(own ?? [])].filter(
    (term) => !allowed.has(term.trim().toLowerCase()),
  );
  // allowedTerms say "this word is fine here": they take a term off the hold list too.
  const holdTerms = hold.filter((term) => !allowed.has(term.trim().toLowerCase()));

  const links = record(fields.links ?? {}, 'links', ['action', 'allowedDomains']);
  const allowedDomains = (strings(links.allowedDomains, 'links.allowedDomains', 1000, 253) ?? []).map(
    (domain, index) => {
      const normal = domain.trim().toLowerCase().replace(/^\*\./u, '').replace(/\.$/u, '');
      if (!DOMAIN.test(normal))
        throw new PolicyProblem(`links.allowedDomains[${index}] must be a domain name`);
      return normal;
    },
  );

  const pii = record(fields.pii ?? {}, 'pii', ['email', 'phone', 'action']);
  const flood = record(fields.flood ?? {}, 'flood', [
    'maxRepeatedCharacters',
    'maxCapitalsShare',
    'capitalsMinLetters',
  ]);
  const limit = IVS_LIMITS.maximumMessageLength;

  let remoteCheck: Policy['remoteCheck'];
  if (fields.remoteCheck !== undefined) {
    const remote = record(fields.remoteCheck, 'remoteCheck', ['url']);
    let url: URL | undefined;
    try {
      url = typeof remote.url === 'string' ? new URL(remote.url) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new PolicyProblem('remoteCheck.url must be an http(s) URL');
    }
    remoteCheck = { url: url.href };
  }

  const defaults = DEFAULT_POLICY;
  return {
    blockedTerms,
    blockedTermAction: oneOf(
      fields.blockedTermAction,
      'blockedTermAction',
      TERM_ACTIONS,
      defaults.blockedTermAction,
    ),
    holdTerms,
    links: {
      action: oneOf(links.action, 'links.action', LINK_ACTIONS, defaults.links.action),
      allowedDomains,
    },
    pii: {
      email: bool(pii.email, 'pii.email', defaults.pii.email),
      phone: bool(pii.phone, 'pii.phone', defaults.pii.phone),
      action: oneOf(pii.action, 'pii.action', TERM_ACTIONS, defaults.pii.action),
    },
    flood: {
      maxRepeatedCharacters: number(
        flood.maxRepeatedCharacters,
        'flood.maxRepeatedCharacters',
        0,
        limit.max,
        defaults.flood.maxRepeatedCharacters,
      ),
      maxCapitalsShare: number(
        flood.maxCapitalsShare,
        'flood.maxCapitalsShare',
        0,
        1,
        defaults.flood.maxCapitalsShare,
        false,
      ),
      capitalsMinLetters: number(
        flood.capitalsMinLetters,
        'flood.capitalsMinLetters',
        1,
        limit.max,
        defaults.flood.capitalsMinLetters,
      ),
    },
    trustedRoles: strings(fields.trustedRoles, 'trustedRoles', 100, 128) ?? defaults.trustedRoles,
    maximumMessageLength: number(
      fields.maximumMessageLength,
      'maximumMessageLength',
      limit.min,
      limit.max,
      defaults.maximumMessageLength,
    ),
    reportRules: bool(fields.reportRules, 'reportRules', defaults.reportRules),
    remoteCheck,
  };
}

/** Validates a policy (`unknown` JSON) and compiles it; a problem is a message naming the field. */
export function compilePolicy(input: unknown): Parsed<CompiledPolicy> {
  try {
    const policy = parse(input);
    return {
      ok: true,
      value: {
        ...policy,
        matcher: new TermMatcher(policy.blockedTerms),
        holdMatcher: new TermMatcher(policy.holdTerms),
      },
    };
  } catch (error) {
    if (error instanceof PolicyProblem) return { ok: false, problem: error.message };
    throw error;
  }
}
