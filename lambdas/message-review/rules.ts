/**
 * The rules, applied to one message in a fixed order. The first DENY wins; MASK rewrites accumulate
 * on one copy of the message's code points, so every rule sees the original text and the answer keeps
 * the same number of code points (IVS counts maximumMessageLength in code points, ivschat-facts.md §1).
 */
import { capitals, longestRun } from './flood.js';
import { findLinks, isAllowedHost } from './links.js';
import { toUnits } from './normalise.js';
import { findEmails, findPhoneNumbers } from './pii.js';
import type { CompiledPolicy } from './policy.js';
import type { Range } from './text.js';

export const RULES = [
  'empty',
  'length',
  'repeatedCharacters',
  'capitals',
  'blockedTerms',
  'links',
  'email',
  'phone',
  'remoteCheck',
] as const;
export type RuleName = (typeof RULES)[number];

/** Short, user-presentable reasons: IVS hands `Attributes.Reason` to the sender (ERROR 406). */
export const REASONS: Readonly<Record<RuleName, string>> = {
  empty: 'Your message is empty.',
  length: 'Your message is too long.',
  repeatedCharacters: 'Please do not flood the chat with repeated characters.',
  capitals: 'Please do not shout: too many capital letters.',
  blockedTerms: 'Your message contains a word that is not allowed here.',
  links: 'Links to that site are not allowed here.',
  email: 'Please do not share e-mail addresses in the chat.',
  phone: 'Please do not share phone numbers in the chat.',
  remoteCheck: 'Your message was rejected by moderation.',
};

export type Verdict =
  | { readonly result: 'DENY'; readonly rule: RuleName; readonly fired: readonly RuleName[] }
  | { readonly result: 'ALLOW'; readonly content: string; readonly fired: readonly RuleName[] };

function mask(chars: string[], ranges: readonly Range[]): void {
  for (const { start, end } of ranges) {
    for (let index = start; index < end && index < chars.length; index++) chars[index] = '*';
  }
}

export function applyRules(policy: CompiledPolicy, content: string): Verdict {
  const fired: RuleName[] = [];
  const deny = (rule: RuleName): Verdict => {
    fired.push(rule);
    return { result: 'DENY', rule, fired };
  };
  const chars = Array.from(content);
  // An ALLOW must carry non-empty Content within the room limit, or IVS counts it invalid.
  if (chars.length === 0) return deny('empty');
  if (chars.length > policy.maximumMessageLength) return deny('length');

  const { flood } = policy;
  if (flood.maxRepeatedCharacters > 0 && longestRun(chars) > flood.maxRepeatedCharacters) {
    return deny('repeatedCharacters');
  }
  if (flood.maxCapitalsShare < 1) {
    const { letters, upper } = capitals(chars);
    if (letters >= flood.capitalsMinLetters && upper / letters > flood.maxCapitalsShare)
      return deny('capitals');
  }

  let masked = false;
  if (policy.matcher.size > 0) {
    const units = toUnits(content, chars);
    const matches = policy.matcher.find(units, policy.blockedTermAction === 'MASK');
    if (matches.length > 0) {
      if (policy.blockedTermAction === 'DENY') return deny('blockedTerms');
      fired.push('blockedTerms');
      masked = true;
      mask(
        chars,
        matches.map(({ start, end }) => {
          const first = units.origin[start] ?? 0;
          const last = units.origin[end - 1] ?? first;
          // Invisible characters and combining marks right after the match go too.
          const next = end < units.length ? (units.origin[end] ?? chars.length) : chars.length;
          return { start: first, end: Math.max(last + 1, next) };
        }),
      );
    }
  }

  if (policy.links.action !== 'ALLOW') {
    const links = findLinks(content).filter((link) => !isAllowedHost(link.host, policy.links.allowedDomains));
    if (links.length > 0) {
      if (policy.links.action === 'DENY') return deny('links');
      fired.push('links');
      masked = true;
      mask(chars, links);
    }
  }

  for (const [rule, enabled, find] of [
    ['email', policy.pii.email, findEmails],
    ['phone', policy.pii.phone, findPhoneNumbers],
  ] as const) {
    if (!enabled) continue;
    const found = find(content);
    if (found.length === 0) continue;
    if (policy.pii.action === 'DENY') return deny(rule);
    fired.push(rule);
    masked = true;
    mask(chars, found);
  }

  return { result: 'ALLOW', content: masked ? chars.join('') : content, fired };
}
